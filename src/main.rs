fn main() {
    std::process::exit(htguard::cli::run(std::env::args_os().collect()));
}
