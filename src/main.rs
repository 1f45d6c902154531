//! The `clausebook` command: everything is in the library.

fn main() {
    std::process::exit(clausebook::cli::main());
}
