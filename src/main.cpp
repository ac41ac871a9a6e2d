// tocsin's entry point is a shim: everything, the command line included, lives in app.
#include "tocsin/app/application.hpp"

int main(int argc, char** argv) {
    return tocsin::app::RunCli(argc, argv);
}
