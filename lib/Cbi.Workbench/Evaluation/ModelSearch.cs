using System.Diagnostics;
using System.Text.Json;
using Cbi.Workbench.IO;
using Cbi.Workbench.Models;
using Cbi.Workbench.Search;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Evaluation;

/// <summary>Result of the search of one model at one horizon.</summary>
/// <param name="Model">Spec name.</param>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="Best">The best complete trial (lowest quantile score).</param>
/// <param name="Parameters">The best point, exact values (categories as indexes).</param>
/// <param name="Trials">Finished trials in the study (complete, pruned, failed).</param>
/// <param name="Pruned">Pruned trials.</param>
/// <param name="Seconds">Wall time of this call (0 when read back from best-params.json).</param>
public sealed record SearchResult(string Model, int Horizon, TrialRecord? Best, IReadOnlyDictionary<string, double> Parameters,
    int Trials, int Pruned, double Seconds)
{
    /// <summary>Quantile score (<see cref="Metrics.QuantileScore(double, double, double, double)"/>, the workbench's one
    /// score scale) of the best trial: the mean over the searched folds of each fold's mean score.</summary>
    public double QuantileScore => Best?.Value ?? double.NaN;
}

/// <summary>What a shared study searches, recorded in the study (JSON) so that every worker runs the same objective on the same data.</summary>
/// <param name="Model">Catalogue name of a model with a search space.</param>
/// <param name="Horizon">Trading days ahead.</param>
/// <param name="Profile">Run profile name (smoke, full): folds, training budget.</param>
/// <param name="Trials">Finished trials the study is to hold (≥ 1).</param>
/// <param name="Seed">Sampler and model seed.</param>
/// <param name="DataVersion">Raw data version of the warehouse (<see cref="Data.RawManifest.DataVersion"/>); "" = the first worker's.</param>
public sealed record SearchTask(string Model, int Horizon, string Profile, int Trials, int Seed = 42, string DataVersion = "");

/// <summary>Hyperparameter search of any catalogue model that has a search space: TPE (Bergstra et al. 2011) with a
/// median pruner over the last validation folds of each horizon; objective = the quantile score (2/3 of the summed pinball loss at P10/P50/P90, <see cref="Metrics.QuantileScore(double, double, double, double)"/>) over
/// every scored row of those folds, reported after each fold so the pruner can stop a poor trial early. One study
/// per model × horizon × profile, stored in a DuckDB file (or, run by many workers, in PostgreSQL) and resumable.</summary>
public static class ModelSearch
{
    /// <summary>The name of the study of <paramref name="spec"/> at <paramref name="horizon"/> in a profile:
    /// "&lt;model&gt;-h&lt;horizon&gt;-&lt;profile&gt;-qs". The only place study names are made. The "-qs" names the
    /// objective's scale (the quantile score): a study from before it (mean pinball loss, half the scale) is never resumed
    /// into one of these, where its trials would win and its values would mislead the pruner.</summary>
    public static string StudyName(ModelSpec spec, int horizon, RunProfile profile) => $"{spec.Name}-h{horizon}-{profile.Name}-qs";

    /// <summary>artifacts/&lt;profile&gt;/&lt;model&gt;/: study histories (study-h&lt;h&gt;.csv) and best-params.json.</summary>
    public static string OutputDir(ModelSpec spec, RunProfile profile) => Path.Combine(Workbench.ArtifactsDir, profile.Name, spec.Name);

    /// <summary>Walk-forward score of one parameter point: fits a fresh model (search budget) on each fold's training
    /// rows, scores its rows, reports the running mean after each fold (the pruner's input) and returns the mean over
    /// folds with a finite loss (NaN when none). <paramref name="report"/> may throw <see cref="TrialPrunedException"/>.</summary>
    /// <exception cref="ArgumentException">no folds, or a fold of another horizon.</exception>
    public static double Evaluate(ModelSpec spec, Frame frame, IReadOnlyList<Fold> folds, int horizon, IReadOnlyDictionary<string, double> point,
        RunProfile profile, int seed = 42, Action<int, double>? report = null) =>
        Evaluate(spec, frame, folds, horizon, point, profile, seed, report, null);

    /// <summary>As the public overload, and hands each fold's prediction rows (model name as given) to <paramref name="rows"/>.</summary>
    internal static double Evaluate(ModelSpec spec, Frame frame, IReadOnlyList<Fold> folds, int horizon, IReadOnlyDictionary<string, double> point,
        RunProfile profile, int seed, Action<int, double>? report, (string Name, List<PredictionRow> Rows)? rows)
    {
        if (folds.Count == 0) throw new ArgumentException($"No folds for horizon {horizon}.", nameof(folds));
        foreach (var fold in folds)
            if (fold.Horizon != horizon) throw new ArgumentException($"Fold {fold.Index} is for horizon {fold.Horizon}, not {horizon}.", nameof(folds));
        var budget = profile.Training with { Searching = true };
        var losses = new List<double>();
        // The one walk-forward loop; the pruner hears the running mean after every fold (and may stop the trial by throwing).
        Backtest.Run((_, _) => spec.Create(point, budget, seed), spec.MissingInputs, frame, folds, [horizon], progress: false, new WalkForwardHooks
        {
            Scored = (_, foldRows) =>
            {
                if (rows is var (name, list)) list.AddRange(foldRows.Select(r => r with { Model = name }));
                if (foldRows.Count == 0) return;
                losses.Add(foldRows.Average(r => Metrics.QuantileScore(r.Y, r.Q10, r.Q50, r.Q90)));
                report?.Invoke(losses.Count - 1, losses.Average());
            },
        });
        return losses.Count == 0 ? double.NaN : losses.Average();
    }

    /// <summary>Opens (or resumes) the study of one horizon and runs it to the profile's trial budget over the last
    /// <see cref="SearchBudget.Folds"/> of <paramref name="folds"/>, and returns the best trial.</summary>
    /// <param name="spec">A model with a search space.</param>
    /// <param name="frame">The frame the folds index.</param>
    /// <param name="folds">Validation folds (those of other horizons are ignored).</param>
    /// <param name="horizon">Trading days ahead.</param>
    /// <param name="profile">Search and training budgets; its name is part of the study name.</param>
    /// <param name="seed">Sampler and model seed.</param>
    /// <param name="studyPath">The study database; default artifacts/&lt;profile&gt;/studies.duckdb.</param>
    /// <param name="studyName">Overrides <see cref="StudyName"/> (tests).</param>
    /// <exception cref="ArgumentException">the model has no search space, or there are no folds for the horizon.</exception>
    /// <exception cref="InvalidOperationException">no trial completed.</exception>
    public static TrialRecord Run(ModelSpec spec, Frame frame, IReadOnlyList<Fold> folds, int horizon, RunProfile profile,
        string? studyPath = null, int seed = 42, string? studyName = null)
    {
        using var study = OpenStudy(spec, horizon, profile, studyPath, seed, studyName);
        return Optimize(study, spec, frame, folds, horizon, profile, seed);
    }

    static Study OpenStudy(ModelSpec spec, int horizon, RunProfile profile, string? studyPath, int seed, string? studyName, string? host = null)
    {
        var space = spec.Space ?? throw new ArgumentException($"{spec.Name} has no search space; it is backtested with its fixed settings.", nameof(spec));
        return Study.Open(studyName ?? StudyName(spec, horizon, profile), space, new StudyOptions
        {
            Sampler = new TpeSampler(new TpeOptions { StartupTrials = profile.Search.StartupTrials }),
            Pruner = new MedianPruner(startupTrials: profile.Search.StartupTrials, minComparable: 2),
            Seed = seed,
            Host = host ?? Environment.MachineName,
        }, studyPath ?? Path.Combine(Workbench.ArtifactsDir, profile.Name, "studies.duckdb"));
    }

    // One line, camelCase: the task is compared as text by every worker that joins.
    static readonly JsonSerializerOptions TaskJson = new(JsonSerializerDefaults.Web);

    /// <summary>One worker of a shared study (<c>cbi worker</c>): opens the study at <paramref name="storage"/> (a
    /// PostgreSQL location for many workers), records or checks <paramref name="task"/>, and runs trials until the study
    /// holds the task's budget of finished trials — its own and every other worker's. A worker started with only the
    /// study's name reads the task the first worker recorded. The objective is <see cref="Run"/>'s: the quantile score on
    /// the last <see cref="SearchBudget.Folds"/> validation folds of the development frame.</summary>
    /// <param name="storage">The study location (<see cref="Study.Open"/>).</param>
    /// <param name="studyName">Study name; null = <see cref="StudyName"/> of the task (then <paramref name="task"/> is required).</param>
    /// <param name="task">What to search; null = the task recorded in the study.</param>
    /// <param name="warehousePath">The warehouse the frame is read from; null = this checkout's (built if needed).</param>
    /// <param name="host">Host name recorded on this worker's trials; null = this machine's.</param>
    /// <returns>The study's best trial when its budget is reached.</returns>
    /// <exception cref="ArgumentException">neither a study name nor a task; an unknown model; a model without search space.</exception>
    /// <exception cref="InvalidOperationException">the study records another task, was made with another search space, was
    /// searched on other data, or holds no task and none was given.</exception>
    /// <exception cref="StudyStorageException">the database cannot be reached or refuses the credentials.</exception>
    public static TrialRecord Work(string storage, string? studyName, SearchTask? task, string? warehousePath = null, string? host = null)
    {
        if (studyName is null && task is null) throw new ArgumentException("a worker needs the study's name, or a task (--model, --horizon) to name it.", nameof(studyName));
        var name = studyName ?? StudyName(ModelCatalog.Get(task!.Model), task.Horizon, RunProfile.For(task.Profile));
        // The recorded task is read before anything is opened for writing, so a worker with another task or other data is
        // refused without touching the study.
        var existing = Study.List(storage).FirstOrDefault(s => s.Name == name);
        var recorded = existing?.Task is { } json ? JsonSerializer.Deserialize<SearchTask>(json, TaskJson) : null;
        if (task is null)
        {
            if (existing is null)
                throw new KeyNotFoundException($"{StudyStorage.Parse(storage).Display} holds no study '{name}'; start the first worker with --model and --horizon to create it.");
            task = recorded ?? throw new InvalidOperationException($"study '{name}' records no task (it was not created by a worker); start a worker with --model and --horizon.");
        }
        else if (recorded is not null)
        {
            if (recorded with { DataVersion = "" } != task with { DataVersion = "" })
                throw new InvalidOperationException($"study '{name}' searches {existing!.Task}, not {JsonSerializer.Serialize(task, TaskJson)}; use a new study name for another task.");
            task = task with { DataVersion = recorded.DataVersion };
        }
        var spec = ModelCatalog.Get(task.Model);
        var profile = RunProfile.For(task.Profile);
        profile = profile with { Search = profile.Search with { Trials = task.Trials } };
        var wh = warehousePath ?? Data.Warehouse.EnsureBuilt();
        var version = Data.Snapshot.Load(wh).DataVersion;
        if (task.DataVersion.Length == 0) task = task with { DataVersion = version };
        else if (task.DataVersion != version)
            throw new InvalidOperationException($"study '{name}' searches raw data version {task.DataVersion}, " +
                                                $"but the warehouse {wh} was built from {version}; every worker must read the same data.");
        var frame = ModelComparison.FrameFor(spec.Inputs, wh);
        var dev = Splits.Development(frame);
        using var study = OpenStudy(spec, task.Horizon, profile, storage, task.Seed, name, host);
        study.RecordTask(JsonSerializer.Serialize(task, TaskJson));
        return Optimize(study, spec, dev, Splits.Validation(dev, task.Horizon, profile.ValidationFolds), task.Horizon, profile, task.Seed);
    }

    /// <summary>The name of a search trial's prediction rows: "&lt;model&gt;#&lt;trial&gt;" (kept for the multiple-testing verdict).</summary>
    public static string TrialModelName(ModelSpec spec, int trial) => $"{spec.Name}#{trial}";

    static TrialRecord Optimize(Study study, ModelSpec spec, Frame frame, IReadOnlyList<Fold> folds, int horizon, RunProfile profile, int seed,
        List<PredictionRow>? trialRows = null)
    {
        var use = folds.Where(f => f.Horizon == horizon).OrderBy(f => f.Index).TakeLast(profile.Search.Folds).ToList();
        if (use.Count == 0) throw new ArgumentException($"No folds for horizon {horizon}.", nameof(folds));
        var sw = Stopwatch.StartNew();
        var best = study.Optimize(t =>
        {
            // Every trial's validation predictions are kept (complete trials only: a pruned one has not scored every fold).
            var rows = trialRows is null ? ((string, List<PredictionRow>)?)null : (TrialModelName(spec, t.Number), new List<PredictionRow>());
            var value = Evaluate(spec, frame, use, horizon, t.Values, profile, seed, (step, v) =>
            {
                t.Report(step, v);
                t.PruneIfNeeded();
            }, rows);
            if (rows is var (_, list) && double.IsFinite(value)) lock (trialRows!) trialRows.AddRange(list);
            return value;
        }, profile.Search.Trials) ?? throw new InvalidOperationException($"Study {study.Name} finished without a complete trial.");
        Log.Progress($"[search {spec.Name} h={horizon}] best quantile score {best.Value:G5} (trial {best.Number}) after {sw.Elapsed.TotalSeconds:F0} s");
        return best;
    }

    /// <summary>The seed scheme's search: on the development frame (rows before the holdout), each of the profile's
    /// horizons for this model tuned on the last folds of its walk-forward validation split (2020-01 → 2023-06). Each
    /// study's history is written as CSV and the best points as best-params.json — under
    /// <see cref="OutputDir"/> for the profile's own study database, or beside a scratch <paramref name="studyPath"/>
    /// (never over the canonical artifacts), or nowhere for an in-memory study. A PostgreSQL study is refused: workers run
    /// those (<see cref="Work"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="studyPath"/> is a PostgreSQL location.</exception>
    public static IReadOnlyList<SearchResult> SearchValidation(ModelSpec spec, Frame frame, RunProfile profile, string? studyPath = null, int seed = 42)
    {
        // A shared study is run by workers, which record its task and check every worker's data (Work); a second way in
        // that does neither would let one study mix data versions and budgets.
        if (studyPath is not null && StudyStorage.IsPostgres(studyPath))
            throw new ArgumentException($"{StudyStorage.Parse(studyPath).Display}: a PostgreSQL study is run by `cbi worker` (ModelSearch.Work), " +
                                        "which records its task and checks each worker's data; a search here takes a DuckDB file.", nameof(studyPath));
        var dev = Splits.Development(frame);
        var outDir = studyPath is null ? OutputDir(spec, profile)
            : studyPath == Study.InMemory ? null
            : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(studyPath))!, spec.Name);
        var results = new List<SearchResult>();
        foreach (var h in profile.HorizonsFor(spec))
        {
            var sw = Stopwatch.StartNew();
            Log.Progress($"[search {spec.Name}] horizon {h}: {profile.Search.Trials} trials, last {profile.Search.Folds} folds");
            using var study = OpenStudy(spec, h, profile, studyPath, seed, null);
            var trialRows = new List<PredictionRow>();
            var best = Optimize(study, spec, dev, Splits.Validation(dev, h, profile.ValidationFolds), h, profile, seed, trialRows);
            if (outDir != null)
            {
                study.ExportCsv(Path.Combine(outDir, $"study-h{h}.csv"));
                // Resumed trials of an earlier run keep their rows (the write replaces only the keys of this run's trials).
                if (trialRows.Count > 0) PredictionStore.WriteParquet(trialRows, TrialsPath(outDir));
            }
            var trials = study.Trials;
            results.Add(new SearchResult(spec.Name, h, best, best.Params, trials.Count(t => t.State != TrialState.Running),
                trials.Count(t => t.State == TrialState.Pruned), sw.Elapsed.TotalSeconds));
        }
        if (outDir != null)
            AtomicFile.WriteAllText(Path.Combine(outDir, "best-params.json"), JsonSerializer.Serialize(
                results.Select(r => new BestParams(r.Horizon, r.QuantileScore, r.Best!.Number, r.Best.Labels, r.Parameters, r.Trials, r.Pruned, Math.Round(r.Seconds, 1))),
                ModelFiles.Json));
        return results;
    }

    /// <summary>trials.parquet beside a search's outputs: the validation predictions of every complete search trial, in
    /// the prediction table's columns, model "&lt;model&gt;#&lt;trial&gt;".</summary>
    public static string TrialsPath(string outputDir) => Path.Combine(outputDir, "trials.parquet");

    sealed record BestParams(int horizon, double quantile_score, int trial, IReadOnlyDictionary<string, string> parameters,
        IReadOnlyDictionary<string, double> values, int trials, int pruned, double seconds);

    /// <summary>The best points of an earlier search of this model in this profile (best-params.json), or an empty
    /// list when it has not been searched.</summary>
    /// <exception cref="InvalidDataException">the file exists but lacks the exact values (written before they were recorded).</exception>
    public static IReadOnlyList<SearchResult> ReadBest(ModelSpec spec, RunProfile profile) => ReadBest(spec, OutputDir(spec, profile));

    /// <summary>The best points in <paramref name="outputDir"/>/best-params.json (a search's output folder), or an empty
    /// list when there is none.</summary>
    /// <exception cref="InvalidDataException">the file exists but lacks the exact values.</exception>
    public static IReadOnlyList<SearchResult> ReadBest(ModelSpec spec, string outputDir)
    {
        var path = Path.Combine(outputDir, "best-params.json");
        if (!File.Exists(path)) return [];
        var list = JsonSerializer.Deserialize<BestParams[]>(File.ReadAllText(path), ModelFiles.Json) ?? [];
        return list.Select(b => new SearchResult(spec.Name, b.horizon, null,
            b.values ?? throw new InvalidDataException($"{path}: horizon {b.horizon} has no exact 'values'; rerun `cbi search --model {spec.Name}`."),
            b.trials, b.pruned, 0)).ToArray();
    }

    /// <summary>Walk-forward over every validation fold of each searched horizon with the tuned parameters (final
    /// fits); rows are the shared long table's, under the model's name.</summary>
    public static BacktestResult RunValidation(ModelSpec spec, Frame frame, IReadOnlyList<SearchResult> searched, RunProfile profile, int seed = 42)
    {
        var byH = searched.ToDictionary(r => r.Horizon, r => r.Parameters);
        var dev = Splits.Development(frame);
        return Backtest.Run(spec, dev, byH.Keys.SelectMany(h => Splits.Validation(dev, h, profile.ValidationFolds)), byH.Keys,
            h => byH[h], profile.Training, seed);
    }

    /// <summary>A model for the latest origin of a frame: fitted (final budget) on every row whose h-day target is
    /// already known at the last row, so the last h rows, whose targets lie beyond the data, are forecast, not learnt.
    /// The caller disposes it.</summary>
    public static IForecaster FitLatest(ModelSpec spec, Frame frame, int horizon, IReadOnlyDictionary<string, double>? parameters, RunProfile profile, int seed = 42) =>
        FitLatest(spec, frame, horizon, parameters, RunContext.Detached(profile), seed);

    /// <summary>As the profile overload, with the run context handed to the model (a combination learns from its scored
    /// history, all of which is known at the frame's last row) and the context's tuned point when
    /// <paramref name="parameters"/> is null.</summary>
    public static IForecaster FitLatest(ModelSpec spec, Frame frame, int horizon, IReadOnlyDictionary<string, double>? parameters, RunContext context, int seed = 42)
    {
        var m = spec.Create(parameters ?? context.TunedFor(spec, horizon), context.Profile.Training, seed, context);
        try { m.Fit(frame, Enumerable.Range(0, frame.Rows - horizon).ToArray(), horizon); return m; }
        catch { (m as IDisposable)?.Dispose(); throw; }
    }
}
