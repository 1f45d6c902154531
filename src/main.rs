use clap::Parser;

fn main() {
    let cli = clausebook::cli::Cli::parse();
    std::process::exit(clausebook::cli::run(cli));
}
