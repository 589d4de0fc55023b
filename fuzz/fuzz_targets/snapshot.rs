//! libFuzzer driver of the `snapshot` target (see `sd::fuzz`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sd::fuzz::run("snapshot", data);
});
