#include "tocsin/app/alerts_cli.hpp"
#include "tocsin/app/application.hpp"
#include "tocsin/app/opsgenie_import.hpp"
#include "tocsin/app/probe_agent.hpp"
#include "tocsin/app/schedules_cli.hpp"
#include "tocsin/auth/auth.hpp"
#include "tocsin/common/log.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <optional>

#ifndef TOCSIN_VERSION
#define TOCSIN_VERSION "0.0.0"
#endif

namespace tocsin::app {
namespace {

int Fail(const std::string& what, const Error& e) {
    std::cerr << "tocsin: " << what << ": " << (e.field.empty() ? "" : e.field + ": ") << e.message << "\n";
    return 2;
}

Result<std::unique_ptr<store::sqlite::SqliteStore>> OpenStore(const std::string& data_dir, const Clock& clock) {
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (ec) return Error::Invalid("data", "cannot create " + data_dir + ": " + ec.message());
    return store::sqlite::SqliteStore::Open((std::filesystem::path(data_dir) / "tocsin.db").string(), clock);
}

}  // namespace

int RunCli(int argc, char** argv) {
    CLI::App cli{"tocsin: status page, uptime monitoring and on-call alerting in one binary"};
    cli.require_subcommand(1);
    std::string data_dir = "data";

    auto* serve = cli.add_subcommand("serve", "Run the server: public page, API and engines");
    std::optional<std::string> listen, config_file, log_level;
    bool demo = false;
    serve
        ->add_option(
            "--listen",
            listen,
            "Address and port to listen on, e.g. 127.0.0.1:8080 or [::1]:8080 (default 127.0.0.1:8080)"
        )
        ->envname("TOCSIN_LISTEN");
    serve->add_option("--data", data_dir, "Folder for the SQLite database (created if missing)")
        ->envname("TOCSIN_DATA")
        ->capture_default_str();
    serve->add_option("--config", config_file, "YAML file with server, storage, log and page settings")
        ->envname("TOCSIN_CONFIG");
    serve->add_option("--log-level", log_level, "trace, debug, info, warn, error or off (default info)")
        ->envname("TOCSIN_LOG_LEVEL");
    serve->add_flag("--demo", demo, "Seed a demo page (components, an incident, a maintenance) into an empty database");

    auto* migrate = cli.add_subcommand("migrate", "Create or upgrade the database schema, then exit");
    migrate->add_option("--data", data_dir, "Folder of the SQLite database")
        ->envname("TOCSIN_DATA")
        ->capture_default_str();

    auto* token = cli.add_subcommand("token", "Manage API tokens");
    token->require_subcommand(1);
    auto* token_create = token->add_subcommand("create", "Create an API token; prints it as the last line");
    std::string role = "owner", token_name = "cli";
    token_create->add_option("--role", role, "owner, responder, stakeholder, or probe (a remote probe agent)")
        ->check(CLI::IsMember({"owner", "responder", "stakeholder", "probe"}))
        ->capture_default_str();
    token_create->add_option("--name", token_name, "A label to recognise the token by")->capture_default_str();
    token_create->add_option("--data", data_dir, "Folder of the SQLite database")
        ->envname("TOCSIN_DATA")
        ->capture_default_str();

    auto* user = cli.add_subcommand("user", "Manage users of the admin UI");
    user->require_subcommand(1);
    auto* user_create = user->add_subcommand("create", "Create a user (password from --password-stdin)");
    std::string email, user_name, user_role = "responder";
    bool password_stdin = false;
    user_create->add_option("--email", email, "Sign-in e-mail address")->required();
    user_create->add_option("--name", user_name, "Display name");
    user_create->add_option("--role", user_role, "owner, responder or stakeholder")
        ->check(CLI::IsMember({"owner", "responder", "stakeholder"}))
        ->capture_default_str();
    user_create->add_flag("--password-stdin", password_stdin, "Read the password from the first line of standard input")
        ->required();
    user_create->add_option("--data", data_dir, "Folder of the SQLite database")
        ->envname("TOCSIN_DATA")
        ->capture_default_str();

    auto* probe = cli.add_subcommand(
        "probe", "Run as a remote probe agent: check the monitors of one location and report to a server"
    );
    ProbeOptions probe_options;
    probe
        ->add_option("--server", probe_options.server, "Base URL of the tocsin server, e.g. https://status.example.com")
        ->envname("TOCSIN_PROBE_SERVER")
        ->required();
    probe
        ->add_option(
            "--token", probe_options.token, "An API token with the probe role (tocsin token create --role probe)"
        )
        ->envname("TOCSIN_PROBE_TOKEN")
        ->required();
    probe
        ->add_option(
            "--location", probe_options.location, "The location this probe speaks for, as named in monitors' locations"
        )
        ->envname("TOCSIN_PROBE_LOCATION")
        ->required();
    probe->add_option("--buffer", probe_options.max_buffer, "Results kept while the server is unreachable")
        ->envname("TOCSIN_PROBE_BUFFER")
        ->capture_default_str();
    std::optional<std::string> probe_log_level;
    probe->add_option("--log-level", probe_log_level, "trace, debug, info, warn, error or off (default info)")
        ->envname("TOCSIN_LOG_LEVEL");

    auto* import = cli.add_subcommand("import", "Import objects from another tool");
    import->require_subcommand(1);
    auto* import_opsgenie = import->add_subcommand(
        "opsgenie", "Create services, integration keys, heartbeats and users from an Opsgenie export"
    );
    std::string import_path;
    import_opsgenie->add_option("export", import_path, "Export file (JSON) or folder of <kind>.json files")->required();
    import_opsgenie->add_option("--data", data_dir, "Folder of the SQLite database")->envname("TOCSIN_DATA");

    AlertsCli alerts_cli(cli, data_dir);
    SchedulesCli schedules_cli(cli, data_dir);

    auto* version = cli.add_subcommand("version", "Print the version");

    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = cli.exit(e);
        return code == 0 ? 0 : 2;
    }

    SystemClock clock;
    if (*version) {
        std::cout << "tocsin " << TOCSIN_VERSION << "\n";
        return 0;
    }
    if (*serve) {
        ServeOptions options;
        if (config_file) {
            if (auto r = config::LoadFile(*config_file, options.config); !r) return Fail("configuration", r.error());
            options.config_path = *config_file;
        }
        // Flags and environment win over the file.
        if (serve->count("--data") || std::getenv("TOCSIN_DATA")) options.config.data_dir = data_dir;
        if (listen) {
            if (auto r = config::ParseListen(*listen, options.config.server); !r) return Fail("--listen", r.error());
        }
        if (log_level) options.config.log_level = *log_level;
        options.demo = demo;
        return Serve(options);
    }
    if (*probe) {
        SetLogLevel(probe_log_level.value_or("info"));
        return RunProbe(probe_options);
    }
    if (*migrate) {
        auto s = OpenStore(data_dir, clock);
        if (!s) return Fail("migrate", s.error());
        std::cout << "database schema at version " << (*s)->SchemaVersion() << "\n";
        return 0;
    }
    if (auto r = auth::Init(); !r) return Fail("start-up", r.error());
    if (*token_create) {
        auto s = OpenStore(data_dir, clock);
        if (!s) return Fail("token create", s.error());
        auto t = auth::CreateToken(**s, clock, token_name, *auth::ParseRole(role));
        if (!t) return Fail("token create", t.error());
        std::cerr << "Created " << role << " token " << t->token.id << ". Store it now; it is not shown again.\n";
        std::cout << t->secret << "\n";
        return 0;
    }
    if (alerts_cli.Selected()) return alerts_cli.Run(clock);
    if (schedules_cli.Selected()) return schedules_cli.Run(clock);
    if (*import_opsgenie) {
        // Unreadable input is the only failure: objects that do not map are reported, not fatal.
        auto text = ReadOpsgenieExport(import_path);
        if (!text) return Fail("import opsgenie", text.error());
        auto s = OpenStore(data_dir, clock);
        if (!s) return Fail("import opsgenie", s.error());
        auto report = ImportOpsgenie(**s, clock, *text);
        if (!report) return Fail("import opsgenie", report.error());
        std::cout << FormatReport(*report);
        return 0;
    }
    if (*user_create) {
        std::string password;
        std::getline(std::cin, password);
        auto s = OpenStore(data_dir, clock);
        if (!s) return Fail("user create", s.error());
        auto u = auth::CreateUser(
            **s, clock, email, user_name.empty() ? email : user_name, *auth::ParseRole(user_role), password
        );
        if (!u) return Fail("user create", u.error());
        std::cout << "created user " << u->email << " (" << u->role << ")\n";
        return 0;
    }
    return 2;
}

}  // namespace tocsin::app
