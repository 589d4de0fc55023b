//! libFuzzer driver of the `acl_rules` target (see `sd::fuzz`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sd::fuzz::run("acl_rules", data);
});
