//! libFuzzer driver of the `template_config` target (see `sd::fuzz`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sd::fuzz::run("template_config", data);
});
