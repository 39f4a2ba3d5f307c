// rust-i18n compiles `locales/` into the crate: rebuild when the catalogue changes.
fn main() {
    println!("cargo:rerun-if-changed=locales");
}
