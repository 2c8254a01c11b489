#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| server::fuzzing::import_jsonl(data));
