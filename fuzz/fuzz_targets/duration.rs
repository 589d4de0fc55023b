//! libFuzzer driver of the `duration` target (see `sd::fuzz`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sd::fuzz::run("duration", data);
});
