using Cbi.Workbench.IO;
using System.Diagnostics;
using Cbi.Workbench.Evaluation;
using Cbi.Workbench.Search;
using Cbi.Workbench.Validation;

namespace Cbi.Workbench.Models.LightGbm;

/// <summary>Budget of a LightGBM hyperparameter search.</summary>
public sealed record LightGbmSearchProfile(string Name, int Trials, int StartupTrials, int MaxRounds, int EarlyStoppingRounds, int MaxFolds)
{
    /// <summary>CI: a handful of trials, few rounds, the last two folds — minutes on 2 cores.</summary>
    public static readonly LightGbmSearchProfile Smoke = new("smoke", Trials: 4, StartupTrials: 3, MaxRounds: 300, EarlyStoppingRounds: 30, MaxFolds: 2);
    /// <summary>The seeds' budget of ~25 trials per search, rounds chosen by early stopping (patience 50, at most
    /// 1,000 rounds: with learning rates ≥ 0.01 and noisy targets the validation loss has flattened by then), on
    /// the last three validation folds — about 5–10 min per horizon on one busy core.</summary>
    public static readonly LightGbmSearchProfile Full = new("full", Trials: 25, StartupTrials: 8, MaxRounds: 1000, EarlyStoppingRounds: 50, MaxFolds: 3);

    public static LightGbmSearchProfile For(string profile) => profile switch
    {
        "smoke" => Smoke, "full" => Full,
        _ => throw new ArgumentException($"Unknown profile '{profile}': expected 'smoke' or 'full'.", nameof(profile)),
    };
}

/// <summary>Tunes the quantile models of one horizon by TPE over the walk-forward validation folds; the
/// objective is the mean pinball loss over P10/P50/P90 and all scored rows of the folds.</summary>
public static class LightGbmSearch
{
    /// <summary>The seeds' parameters with ranges for ~5,000 daily rows of noisy returns. The seeds' 63–127
    /// leaves, depth 10–15 and learning rate ≤ 0.03 were set for far more rows; here a leaf of 20–200 rows
    /// leaves room for only ~25–250 leaves in total, so trees stay small (7–63 leaves, depth 3–8) and the
    /// leaf minimum is searched too. Penalties span 1e-3–10 on a log scale because their useful size depends
    /// on the target's scale (log returns ~0.01–0.1), and sampling fractions go down to 0.5 for variance.</summary>
    public static SearchSpace Space() => SearchSpace.Of(
        new IntParameter("num_leaves", 7, 63, Log: true),
        new IntParameter("max_depth", 3, 8),
        new IntParameter("min_data_in_leaf", 20, 200, Log: true),
        new FloatParameter("learning_rate", 0.01, 0.1, Log: true),
        new FloatParameter("feature_fraction", 0.5, 1.0),
        new FloatParameter("bagging_fraction", 0.5, 1.0),
        new FloatParameter("lambda_l1", 1e-3, 10, Log: true),
        new FloatParameter("lambda_l2", 1e-3, 10, Log: true));

    /// <summary>Quantile-model settings for a point of <see cref="Space"/>. During the search the models are
    /// scored as early stopping left them (trained on the purged head of each fold's training rows), which ranks
    /// parameter points as well at half the cost; <paramref name="refit"/> = true gives the final models, refitted
    /// on all training rows with the chosen number of rounds.</summary>
    public static LightGbmQuantileOptions OptionsFor(IReadOnlyDictionary<string, double> p, LightGbmSearchProfile profile, int seed = 42, bool refit = false) => new()
    {
        RefitOnAllRows = refit,
        Booster = new LightGbmOptions
        {
            NumLeaves = (int)p["num_leaves"], MaxDepth = (int)p["max_depth"], MinDataInLeaf = (int)p["min_data_in_leaf"],
            LearningRate = p["learning_rate"], FeatureFraction = p["feature_fraction"], BaggingFraction = p["bagging_fraction"],
            BaggingFreq = 1, LambdaL1 = p["lambda_l1"], LambdaL2 = p["lambda_l2"],
            Iterations = profile.MaxRounds, EarlyStoppingRounds = profile.EarlyStoppingRounds, Seed = seed,
        },
    };

    /// <summary>Mean pinball loss of P10/P50/P90 over the rows with a known target.</summary>
    internal static double MeanPinball(IReadOnlyList<QuantileForecast> f, IReadOnlyList<double> y)
    {
        double sum = 0; var n = 0;
        for (var i = 0; i < f.Count; i++)
        {
            if (!double.IsFinite(y[i])) continue;
            sum += Metrics.Pinball(y[i], f[i].Q10, 0.1) + Metrics.Pinball(y[i], f[i].Q50, 0.5) + Metrics.Pinball(y[i], f[i].Q90, 0.9);
            n += 3;
        }
        return n == 0 ? double.NaN : sum / n;
    }

    /// <summary>Walk-forward score of one parameter point: fits on each fold's training rows, scores its rows,
    /// reports the running mean after each fold (the pruner's intermediate value) and returns the mean over
    /// folds. <paramref name="report"/> may throw to prune.</summary>
    public static double Evaluate(Frame frame, IReadOnlyList<Fold> folds, int horizon, LightGbmQuantileOptions options, Action<int, double>? report = null)
    {
        if (folds.Count == 0) throw new ArgumentException($"No folds for horizon {horizon}.", nameof(folds));
        var losses = new List<double>();
        foreach (var fold in folds)
        {
            if (fold.Horizon != horizon) throw new ArgumentException($"Fold {fold.Index} is for horizon {fold.Horizon}, not {horizon}.", nameof(folds));
            using var model = new LightGbmQuantileForecaster(options);
            model.Fit(frame, fold.TrainRows, horizon);
            var f = model.Predict(frame, fold.ScoreRows);
            var loss = MeanPinball(f, fold.ScoreRows.Select(r => frame.Target(r, horizon)).ToArray());
            if (!double.IsFinite(loss)) continue;
            losses.Add(loss);
            report?.Invoke(losses.Count - 1, losses.Average());
        }
        return losses.Count == 0 ? double.NaN : losses.Average();
    }

    /// <summary>Runs (or resumes) the study "lgbm-h{horizon}" over the last <see cref="LightGbmSearchProfile.MaxFolds"/>
    /// validation folds and returns the best trial.</summary>
    public static TrialRecord Run(Frame frame, IReadOnlyList<Fold> folds, int horizon, LightGbmSearchProfile profile,
        string? studyPath = null, int seed = 42, string? studyName = null)
    {
        var use = folds.Where(f => f.Horizon == horizon).OrderBy(f => f.Index).TakeLast(profile.MaxFolds).ToList();
        if (use.Count == 0) throw new ArgumentException($"No folds for horizon {horizon}.", nameof(folds));
        var sw = Stopwatch.StartNew();
        using var study = Study.Open(studyName ?? $"lgbm-h{horizon}-{profile.Name}", Space(), new StudyOptions
        {
            Sampler = new TpeSampler(new TpeOptions { StartupTrials = profile.StartupTrials }),
            Pruner = new MedianPruner(startupTrials: profile.StartupTrials, minComparable: 2),
            Seed = seed,
        }, studyPath);
        var best = study.Optimize(t => Evaluate(frame, use, horizon, OptionsFor(t.Values, profile, seed), (step, v) =>
        {
            t.Report(step, v);
            t.PruneIfNeeded();
        }), profile.Trials) ?? throw new InvalidOperationException($"Study {study.Name} finished without a complete trial.");
        Log.Progress($"[lgbm search h={horizon}] best mean pinball {best.Value:G5} (trial {best.Number}) after {sw.Elapsed.TotalSeconds:F0} s");
        return best;
    }

    /// <summary>The seed scheme's search: on the development frame (rows before the holdout), each horizon
    /// tuned on the last folds of its walk-forward validation split (2020-01 → 2023-06).</summary>
    public static IReadOnlyList<HorizonResult> SearchValidation(Frame frame, IEnumerable<int> horizons, LightGbmSearchProfile profile,
        string? studyPath = null, int folds = 7, int seed = 42)
    {
        var dev = Splits.Development(frame);
        return SearchAll(dev, horizons, h => Splits.Validation(dev, h, folds), profile, studyPath, seed: seed);
    }

    /// <summary>Walk-forward over every validation fold of each searched horizon with the tuned (refitting)
    /// options; rows are the shared long table's, model name <c>lgbm</c>.</summary>
    public static BacktestResult RunValidation(Frame frame, IReadOnlyList<HorizonResult> searched, int folds = 7)
    {
        var dev = Splits.Development(frame);
        var byH = searched.ToDictionary(r => r.Horizon, r => r.Options);
        return WalkForward.Run(h => new LightGbmQuantileForecaster(byH[h]), dev, byH.Keys.SelectMany(h => Splits.Validation(dev, h, folds)), byH.Keys);
    }

    /// <summary>Models for the latest origin of a frame: fitted on every row whose h-day target is already known
    /// at the last row (so the last h rows, whose targets lie beyond the data, are forecast, not learnt).</summary>
    public static LightGbmQuantileForecaster FitLatest(Frame frame, int horizon, LightGbmQuantileOptions options)
    {
        var m = new LightGbmQuantileForecaster(options);
        m.Fit(frame, Enumerable.Range(0, frame.Rows - horizon).ToArray(), horizon);
        return m;
    }

    /// <summary>Result of the search for one horizon.</summary>
    public sealed record HorizonResult(int Horizon, TrialRecord Best, LightGbmQuantileOptions Options, int Trials, int Pruned, double Seconds);

    /// <summary>Searches every horizon (each its own study, resumable), writes each study's history as CSV and
    /// the best parameters as JSON under artifacts/&lt;profile&gt;/lgbm/, and returns the tuned options.</summary>
    public static IReadOnlyList<HorizonResult> SearchAll(Frame frame, IEnumerable<int> horizons, Func<int, IReadOnlyList<Fold>> foldsFor,
        LightGbmSearchProfile profile, string? studyPath = null, string? outputDir = null, int seed = 42)
    {
        var outDir = outputDir ?? Path.Combine(Workbench.ProfileDir, "lgbm");
        var results = new List<HorizonResult>();
        foreach (var h in horizons)
        {
            var sw = Stopwatch.StartNew();
            Log.Progress($"[lgbm search] horizon {h}: {profile.Trials} trials, last {profile.MaxFolds} folds");
            var best = Run(frame, foldsFor(h), h, profile, studyPath, seed);
            using var study = Study.OpenExisting($"lgbm-h{h}-{profile.Name}", studyPath, new StudyOptions { Progress = false, Seed = seed });
            study.ExportCsv(Path.Combine(outDir, $"study-h{h}.csv"));
            var trials = study.Trials;
            results.Add(new HorizonResult(h, best, OptionsFor(best.Params, profile, seed, refit: true), trials.Count(t => t.State != TrialState.Running),
                trials.Count(t => t.State == TrialState.Pruned), sw.Elapsed.TotalSeconds));
        }
        AtomicFile.WriteAllText(Path.Combine(outDir, "best-params.json"), System.Text.Json.JsonSerializer.Serialize(
            results.Select(r => new { horizon = r.Horizon, mean_pinball = r.Best.Value, trial = r.Best.Number, parameters = r.Best.Labels, trials = r.Trials, pruned = r.Pruned, seconds = Math.Round(r.Seconds, 1) }),
            new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        return results;
    }
}
