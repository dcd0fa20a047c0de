//! `xacct.toml`: every key, `[limits]`, globs, parameters, stacks; a mistake is an error with a
//! span inside the text, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("xacct-fuzz-config-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("xacct.toml");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    if let Err(error) = xacct::config::load(&path, false) {
        assert!(error.span.start <= error.span.end);
        assert!(error.span.end <= error.text.len());
    }
});
