//! Baseline files: any bytes are read, or refused with a message, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("xacct-fuzz-baseline-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("baseline.json");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let _ = xacct::baseline::load(&path);
});
