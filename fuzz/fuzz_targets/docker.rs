//! libFuzzer driver of the `docker` target (see `sd::fuzz`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sd::fuzz::run("docker", data);
});
