using Cbi.Workbench.Search;

namespace Cbi.Workbench.Models.LightGbm;

/// <summary>The LightGBM quantile models' registration in the catalogue: search space, default point and the
/// mapping from a point to booster settings.</summary>
internal sealed class LightGbmSpec : IModelProvider
{
    public int Order => 10;
    public IEnumerable<ModelSpec> Specs() => [Create()];

    internal const string Name = "lgbm";

    /// <summary>The seeds' parameters with ranges for ~5,000 daily rows of noisy returns. The seeds' 63–127
    /// leaves, depth 10–15 and learning rate ≤ 0.03 were set for far more rows; here a leaf of 20–200 rows
    /// leaves room for only ~25–250 leaves in total, so trees stay small (7–63 leaves, depth 3–8) and the
    /// leaf minimum is searched too. Penalties span 1e-3–10 on a log scale because their useful size depends
    /// on the target's scale (log returns ~0.01–0.1), and sampling fractions go down to 0.5 for variance.</summary>
    internal static SearchSpace Space() => SearchSpace.Of(
        new IntParameter("num_leaves", 7, 63, Log: true),
        new IntParameter("max_depth", 3, 8),
        new IntParameter("min_data_in_leaf", 20, 200, Log: true),
        new FloatParameter("learning_rate", 0.01, 0.1, Log: true),
        new FloatParameter("feature_fraction", 0.5, 1.0),
        new FloatParameter("bagging_fraction", 0.5, 1.0),
        new FloatParameter("lambda_l1", 1e-3, 10, Log: true),
        new FloatParameter("lambda_l2", 1e-3, 10, Log: true));

    /// <summary>Conservative settings for an untuned model: small trees, a strong leaf minimum, sampling, mild
    /// L2 (lambda_l1 at the bottom of its range).</summary>
    static readonly Dictionary<string, double> Default = new()
    {
        ["num_leaves"] = 15, ["max_depth"] = 5, ["min_data_in_leaf"] = 50, ["learning_rate"] = 0.03,
        ["feature_fraction"] = 0.8, ["bagging_fraction"] = 0.8, ["lambda_l1"] = 1e-3, ["lambda_l2"] = 1.0,
    };

    /// <summary>Quantile-model settings for a point of <see cref="Space"/>. During a search the models are scored as
    /// early stopping left them (trained on the purged head of each fold's training rows), which ranks parameter
    /// points as well at half the cost; final fits refit on all training rows with the chosen number of rounds.</summary>
    internal static LightGbmQuantileOptions OptionsFor(IReadOnlyDictionary<string, double> p, TrainingBudget budget, int seed) => new()
    {
        RefitOnAllRows = !budget.Searching,
        Booster = new LightGbmOptions
        {
            NumLeaves = (int)p["num_leaves"], MaxDepth = (int)p["max_depth"], MinDataInLeaf = (int)p["min_data_in_leaf"],
            LearningRate = p["learning_rate"], FeatureFraction = p["feature_fraction"], BaggingFraction = p["bagging_fraction"],
            BaggingFreq = 1, LambdaL1 = p["lambda_l1"], LambdaL2 = p["lambda_l2"],
            Iterations = budget.MaxRounds, EarlyStoppingRounds = budget.EarlyStoppingRounds, Seed = seed,
        },
    };

    internal static ModelSpec Create() => new()
    {
        Name = Name,
        Description = "LightGBM 4.7 quantile regression, one booster per quantile, early stopping on a purged tail",
        Inputs = ModelInputs.Features,
        MissingInputs = MissingInputRule.AbstainWhenUnseen,
        Space = Space(),
        DefaultPoint = Default,
        Expensive = true,
        Factory = (p, budget, seed, _) => new LightGbmQuantileForecaster(OptionsFor(p, budget, seed), Name),
        Loader = LightGbmQuantileForecaster.Load,
        ExtraBenchmarks = (dev, rows, h, repeats, _) => [LightGbmBench.MsPer100Rounds(dev, rows, h, repeats).Name],
    };
}
