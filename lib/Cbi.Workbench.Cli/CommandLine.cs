using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Cbi.Workbench.Cli;

/// <summary>`cbi`'s grammar in System.CommandLine: every verb with its typed options and arguments, so `cbi --help` and
/// `cbi VERB --help` are generated from the same declarations that check a command line, an unknown or mistyped option
/// is refused by name before anything runs (System.CommandLine suggests the nearest spelling), and shells get completions
/// through System.CommandLine's suggest directive. A command that parses is handed its own arguments (the verb's
/// <see cref="ICliCommand.Run"/> reads them as before).</summary>
internal static class CommandLine
{
    static Option<string> Text(string name, string description, string? help = null) => new(name) { Description = description, HelpName = help };
    static Option<bool> Flag(string name, string description) => new(name) { Description = description };
    static Option<string[]> Many(string name, string description, string help) => new(name) { Description = description, HelpName = help };

    /// <summary>An option whose one value <paramref name="parse"/> reads (null: not acceptable); otherwise the error
    /// "Option 'NAME': 'VALUE' is not EXPECTED." names the option, the value and what it accepts.</summary>
    static Option<T> Parsed<T>(string name, string description, string help, string expected, Func<string, T?> parse) where T : struct => new(name)
    {
        Description = description, HelpName = help,
        CustomParser = r =>
        {
            var token = Token(r);
            if (parse(token) is { } value) return value;
            r.AddError($"Option '{name}': '{token}' is not {expected}.");
            return default;
        },
    };

    static Option<string> Choice(string name, string description, params string[] values)
    {
        var o = new Option<string>(name)
        {
            Description = description, HelpName = string.Join('|', values),
            CustomParser = r =>
            {
                var token = Token(r);
                if (values.Contains(token, StringComparer.Ordinal)) return token;
                r.AddError($"Option '{name}': '{token}' is not one of {string.Join(", ", values)}.");
                return null;
            },
        };
        o.CompletionSources.Add(values);
        return o;
    }

    static string Token(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[0].Value : "";

    static Option<int> Integer(string name, string description, int min = 1) =>
        Parsed<int>(name, description, "N", $"an integer ≥ {min}",
            t => int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) && v >= min ? v : null);

    static Option<double> Seconds(string name, string description) =>
        Parsed<double>(name, description, "SECONDS", "a positive number of seconds",
            t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v) ? v : null);

    static Option<DateOnly> Date(string name, string description) =>
        Parsed<DateOnly>(name, description, "YYYY-MM-DD", "a date of the form YYYY-MM-DD",
            t => DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null);

    /// <summary>A comma list of integers ≥ 1 (horizons, worker counts).</summary>
    static Option<string> IntList(string name, string description, string help) => new(name)
    {
        Description = description, HelpName = help,
        CustomParser = r =>
        {
            var text = Token(r);
            foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < 1)
                {
                    r.AddError($"Option '{name}': '{part}' in '{text}' is not an integer ≥ 1 (give a comma list, e.g. 5,21).");
                    return null;
                }
            return text;
        },
    };

    static Option<string> Model(bool required = true) => new("--model") { Description = "model names or groups, comma-separated (`cbi models` lists them; groups: all, baselines, fast)", HelpName = "NAME[,NAME…]", Required = required };
    static Option<string> Profile() => Choice("--profile", "run profile (folds, budgets, horizons)", "smoke", "full");
    static Option<string> Horizons() => IntList("--horizons", "horizons in trading days, narrowing the profile's", "5,21");
    static Option<string> Backend() => Choice("--backend", "warehouse backend", "duckdb", "bigquery");

    /// <summary>The options and arguments of each verb (by <see cref="ICliCommand.Name"/>).</summary>
    static IEnumerable<Symbol> Grammar(string verb) => verb switch
    {
        "backtest" => [Model(), Profile(), Horizons(), Flag("--default-params", "use each model's default point, not its searched one"), Flag("--no-warehouse", "write predictions.parquet only")],
        "bench" => [Model(), Profile(), Horizons(), Integer("--repeats", "timed repetitions"), Flag("--walk-forward", "time 60 origins × 5 horizons of the named models together"),
            IntList("--workers", "time the same search budget with these numbers of `cbi worker` processes", "1,2"), Integer("--trials", "search trials per budget"),
            Text("--storage", "PostgreSQL study location (postgres://user@host:port/db); default: a throw-away local server", "URI")],
        "export" => [Date("--as-of", "point-in-time cut"), Text("--out", "the Parquet file to write", "PATH"), Backend(), Text("--project", "BigQuery project"), Text("--dataset", "BigQuery dataset"), Text("--location", "BigQuery location")],
        "features" => [Date("--as-of", "point-in-time cut"), Text("--out", "the Parquet file to write", "PATH"), Text("--warehouse", "DuckDB warehouse file", "PATH"),
            Text("--features", "feature names, comma-separated", "a,b,…"), Integer("--bench", "time this many full builds")],
        "forecast" => [Date("--as-of", "the origin session (default: the last with a close)"), Profile(), Text("--rules", "operations rules file", "config/operations.json"), Flag("--no-shadow", "no shadow candidates")],
        "promote" => [Integer("--horizon", "the horizon whose shadow is promoted"), Text("--reason", "why (recorded)", "TEXT"), Profile()],
        "replay" => [Date("--from", "the replay starts after this date"), Integer("--sessions", "sessions to replay"), Profile(), Text("--rules", "operations rules file", "config/operations.json"), Flag("--no-shadow", "no shadow candidates")],
        "validate" => [Date("--as-of", "score outcomes known by this date (default: the last close)"), Profile(), Integer("--recent", "matured forecasts in the recent window")],
        "ingest" => [Text("--incoming", "the incoming folder", "data/incoming")],
        "leakage-guard" => [Integer("--dates", "as-of dates to check"), Date("--from", "first as-of date"), Date("--to", "last as-of date"), Text("--warehouse", "DuckDB warehouse file", "PATH")],
        "manifest" => [Flag("--write", "regenerate data/raw/MANIFEST.tsv from the provenance facts")],
        "models" => [],
        "report" => [Text("--notebook", "executed notebook name", "07-holdout"), Profile(), Text("--out", "the HTML file to write", "PATH")],
        "run" => [new Argument<string>("notebook") { Description = "a .dib or .ipynb notebook" }, Text("--output-path", "the executed .ipynb", "OUT.ipynb"),
            Many("--input", "a notebook parameter (repeatable)", "key=value"), Seconds("--cell-timeout", "longest a cell may run")],
        "run-all" => [Profile(), Many("--input", "a notebook parameter (repeatable)", "key=value"), Seconds("--cell-timeout", "longest a cell may run")],
        "search" => [Model(), Profile(), Horizons(), Text("--study", "study location (a .duckdb path or postgres://…)", "PATH|URI"), Flag("--no-warehouse", "write predictions.parquet only")],
        "sql" => [new Argument<string>("statement") { Description = "one read-only SQL query" }, Text("--db", "DuckDB file", "PATH")],
        "study" => [new Argument<string>("name") { Description = "a study to show (all are listed when absent)", Arity = ArgumentArity.ZeroOrOne },
            Text("--db", "study location (a .duckdb path or postgres://…)", "PATH|URI"), Text("--csv", "write the study's trials here", "OUT")],
        "warehouse" => [Text("--out", "the DuckDB file to write", "PATH"), Integer("--bench", "time this many builds"), Backend(), Flag("--dry-run", "BigQuery: print the load plan, no network"),
            Text("--project", "BigQuery project"), Text("--dataset", "BigQuery dataset"), Text("--location", "BigQuery location")],
        "worker" => [new Option<string>("--storage") { Description = "the shared study's location", HelpName = "postgres://user@host:port/db", Required = true },
            Text("--study", "study name"), Model(required: false), Integer("--horizon", "trading days ahead"), Profile(), Integer("--trials", "the study's trial budget"),
            Integer("--seed", "sampler seed", min: 0), Text("--warehouse", "DuckDB warehouse file", "PATH"), Text("--host", "host name recorded with this worker's trials")],
        _ => throw new InvalidOperationException($"cbi {verb}: no command-line grammar declared (add it to CommandLine.Grammar)."),
    };

    /// <summary>The root command with one sub-command per verb; each runs its <see cref="ICliCommand"/> on the verb's own
    /// arguments once they parse.</summary>
    internal static RootCommand Build(IEnumerable<ICliCommand> commands, Func<ICliCommand, int> run)
    {
        var root = new RootCommand("cbi — Cbi.Workbench command line: the notebooks headless, the warehouse, features, backtests, searches, reports.");
        foreach (var c in commands)
        {
            var usage = c.Usage;
            var split = usage.IndexOf("  ", StringComparison.Ordinal);
            var command = new Command(c.Name, split > 0 ? usage[(split + 2)..].Trim() : usage);
            foreach (var symbol in Grammar(c.Name))
                switch (symbol)
                {
                    case Option o: command.Options.Add(o); break;
                    case Argument a: command.Arguments.Add(a); break;
                }
            var verb = c;
            command.SetAction(_ => run(verb));
            root.Subcommands.Add(command);
        }
        return root;
    }
}
