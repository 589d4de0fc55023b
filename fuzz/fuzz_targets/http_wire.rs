//! libFuzzer driver of the `http_wire` target (see `sd::fuzz`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sd::fuzz::run("http_wire", data);
});
