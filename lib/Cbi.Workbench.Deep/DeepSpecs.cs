using Cbi.Workbench.Models;
using Cbi.Workbench.Search;

namespace Cbi.Workbench.Deep;

/// <summary>Registers the TorchSharp networks in the model catalogue (found by reflection: this assembly sits beside
/// Cbi.Workbench.dll). Each spec reads windows of the point-in-time feature table, abstains when a feature that was
/// never missing in its training rows is missing in an origin's window (features missing in training get a mask
/// channel), and maps the profile's round budget to epochs at one epoch per 100 rounds (smoke: 3 epochs, patience 3;
/// full: 10 epochs, patience 5; the contract tests' 60 rounds: 1 epoch).</summary>
internal sealed class DeepSpecs : IModelProvider
{
    public int Order => 20;

    public IEnumerable<ModelSpec> Specs() => [Tft(), Mlp(), LstmAttn(), Tcn(), NBeatsX()];

    /// <summary>Epochs from a round budget (see the class summary).</summary>
    internal static TrainingBudget Epochs(TrainingBudget b) =>
        b with { MaxRounds = Math.Max(1, b.MaxRounds / 100), EarlyStoppingRounds = b.EarlyStoppingRounds == 0 ? 0 : Math.Max(1, b.EarlyStoppingRounds / 10) };

    static readonly string[] BatchChoices = ["32", "64", "128"];
    static readonly string[] HeadChoices = ["1", "2", "4"];

    static TrainConfig Config(string arch, IReadOnlyDictionary<string, double> p, TrainingBudget b, int seed) => new()
    {
        Architecture = arch,
        Hidden = p.TryGetValue("hidden", out var h) ? (int)h : 32,
        Layers = p.TryGetValue("layers", out var l) ? (int)l : 1,
        AttentionHeads = p.TryGetValue("heads", out var hd) ? int.Parse(HeadChoices[(int)hd]) : 1,
        Dropout = p.GetValueOrDefault("dropout", 0.1),
        Width = p.GetValueOrDefault("width", 1),
        Encoder = p.TryGetValue("encoder", out var e) ? (int)e : 1,
        LearningRate = p.GetValueOrDefault("learning_rate", 1e-3),
        BatchSize = p.TryGetValue("batch_size", out var bs) ? int.Parse(BatchChoices[(int)bs]) : 64,
        Epochs = b.MaxRounds, Patience = b.EarlyStoppingRounds, Seed = seed, MaxWindows = b.MaxRecentRows,
    };

    static ModelSpec Spec(string name, string description, ModelInputs inputs, SearchSpace space, Dictionary<string, double> point,
        Func<Frame, int[], int, int, IReadOnlyList<string>>? bench = null) => new()
    {
        Name = name, Description = description, Inputs = inputs, MissingInputs = MissingInputRule.AbstainWhenUnseen,
        Space = space, DefaultPoint = point, Expensive = true, BudgetMap = Epochs, ThreadsPerFit = new TrainConfig().Threads, SerialFits = true,
        Factory = (p, b, seed, _) => new DeepForecaster(Config(name, p, b, seed)),
        Loader = dir => DeepForecaster.Load(dir, name),
        ExtraBenchmarks = bench is null ? null : (dev, rows, h, repeats, _) => bench(dev, rows, h, repeats),
    };

    static FloatParameter Lr() => new("learning_rate", 1e-4, 1e-2, Log: true);
    static FloatParameter Dropout() => new("dropout", 0.0, 0.3);
    static CategoricalParameter Batch() => new("batch_size", BatchChoices);

    /// <summary>The seeds' TFT space (hidden size, heads, LSTM layers, dropout, learning rate, batch size, encoder length)
    /// with sizes for ~5,000 windows on 2 CPU cores; the default is the small end so untuned fits stay cheap.</summary>
    internal static ModelSpec Tft() => Spec("tft", "Temporal Fusion Transformer (Lim et al. 2021), TorchSharp; all horizons' P10/P50/P90 at once",
        ModelInputs.Sequences,
        SearchSpace.Of(new IntParameter("hidden", 8, 64, Log: true), new CategoricalParameter("heads", HeadChoices), new IntParameter("layers", 1, 2),
            Dropout(), Lr(), Batch(), new IntParameter("encoder", 10, 120, Log: true)),
        new() { ["hidden"] = 16, ["heads"] = 1, ["layers"] = 1, ["dropout"] = 0.1, ["learning_rate"] = 3e-3, ["batch_size"] = 2, ["encoder"] = 20 },
        DeepBench.Run);

    internal static ModelSpec Mlp() => Spec("mlp", "deep MLP 512-256-128-64 × width, batch norm, ReLU, dropout, one head per quantile; TorchSharp",
        ModelInputs.Features,
        SearchSpace.Of(new FloatParameter("width", 0.0625, 1.0, Log: true), Dropout(), Lr(), Batch()),
        new() { ["width"] = 0.125, ["dropout"] = 0.1, ["learning_rate"] = 1e-3, ["batch_size"] = 2 });

    internal static ModelSpec LstmAttn() => Spec("lstm_attn", "LSTM encoder with scaled dot-product attention over its states; TorchSharp",
        ModelInputs.Sequences,
        SearchSpace.Of(new IntParameter("hidden", 8, 128, Log: true), new IntParameter("layers", 1, 2), Dropout(), Lr(), Batch(),
            new IntParameter("encoder", 10, 180, Log: true)),
        new() { ["hidden"] = 16, ["layers"] = 1, ["dropout"] = 0.1, ["learning_rate"] = 3e-3, ["batch_size"] = 2, ["encoder"] = 20 });

    internal static ModelSpec Tcn() => Spec("tcn", "TCN (Bai et al. 2018): causal dilated residual convolutions; TorchSharp",
        ModelInputs.Sequences,
        SearchSpace.Of(new IntParameter("hidden", 8, 64, Log: true), new IntParameter("layers", 2, 6), Dropout(), Lr(), Batch(),
            new IntParameter("encoder", 10, 120, Log: true)),
        new() { ["hidden"] = 16, ["layers"] = 3, ["dropout"] = 0.1, ["learning_rate"] = 3e-3, ["batch_size"] = 2, ["encoder"] = 20 });

    internal static ModelSpec NBeatsX() => Spec("nbeatsx", "N-BEATSx (Oreshkin et al. 2020; Olivares et al. 2023): generic and exogenous blocks; TorchSharp",
        ModelInputs.Sequences,
        SearchSpace.Of(new IntParameter("hidden", 16, 256, Log: true), new IntParameter("layers", 2, 6), Dropout(), Lr(), Batch(),
            new IntParameter("encoder", 5, 60, Log: true)),
        new() { ["hidden"] = 32, ["layers"] = 2, ["dropout"] = 0.1, ["learning_rate"] = 1e-3, ["batch_size"] = 2, ["encoder"] = 10 });
}
