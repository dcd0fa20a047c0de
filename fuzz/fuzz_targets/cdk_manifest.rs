//! CDK cloud assembly manifests read through the gate from a scratch folder: whatever the
//! manifest names (absolute paths, `..`, nested assemblies, itself), nothing outside the folder
//! is read and nothing panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("xacct-fuzz-cdk-{}", std::process::id()));
    let assembly = dir.join("cdk.out");
    let _ = std::fs::create_dir_all(assembly.join("nested"));
    let _ = std::fs::write(assembly.join("manifest.json"), data);
    // The same bytes as a nested assembly's manifest, so that nesting is followed.
    let _ = std::fs::write(assembly.join("nested/manifest.json"), data);
    let mut gate = xacct_input::Gate::new();
    gate.add_root(&assembly);
    let stacks = xacct_input::cdk::read_assemblies(
        &gate,
        vec![assembly.join("manifest.json")],
        &xacct_input::Limits::default(),
    );
    for stack in stacks.stacks {
        // A listed template is only ever read through the same gate.
        let _ = gate.read(&stack.template, 1 << 20);
    }
});
