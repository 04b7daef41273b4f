using System.Globalization;
using Cbi.Workbench.Deep.Nets;
using Cbi.Workbench.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Cbi.Workbench.Deep;

/// <summary>A catalogue forecaster around one of the workbench's networks (TFT, deep MLP, LSTM with attention, TCN,
/// N-BEATSx): fits a <see cref="SequenceLayout"/> on the training rows, trains the net with <see cref="Trainer"/> on
/// all head horizons at once, and answers for the fitted horizon. Holds libtorch tensors: dispose it.</summary>
internal sealed class DeepForecaster : IForecaster, IDisposable
{
    internal const string StateFile = "deep.json", WeightsFile = "weights.bin";

    readonly TrainConfig config;
    QuantileNet? net;
    SequenceLayout? layout;
    bool disposed;
    readonly Device device;

    internal DeepForecaster(TrainConfig config) { this.config = config; device = Trainer.DefaultDevice; }

    public string Name => config.Architecture;
    public FitInfo? Info { get; private set; }
    internal TrainReport? Report { get; private set; }
    internal TrainConfig Config => config;
    internal SequenceLayout? Layout => layout;
    internal QuantileNet? Net => net;

    public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
    {
        ObjectDisposedCheck();
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(trainRows);
        var lay = SequenceLayout.Fit(Name, frame, trainRows, horizon, config.Encoder, config.HeadHorizons);
        var cutoff = SequenceLayout.Cutoff(frame, trainRows, horizon);
        var usable = trainRows.Where(r => r >= lay.Encoder).OrderBy(r => r).ToArray();
        if (config.MaxWindows > 0 && usable.Length > config.MaxWindows) usable = usable[^config.MaxWindows..];
        // Early stopping on the chronologically last share of the origins; the training part keeps only targets that end
        // before the first validation origin (purged), the validation part those that end by the fold's cutoff.
        var nVal = usable.Length >= 40 ? Math.Max(1, (int)(usable.Length * config.ValidationFraction)) : 0;
        var valRows = usable[(usable.Length - nVal)..];
        var fitRows = usable[..(usable.Length - nVal)];
        var trainCut = nVal > 0 ? valRows[0] - 1 : cutoff;
        var tw = Usable(WindowSet.Build(Name, lay, frame, fitRows, trainCut));
        if (tw.Count < 2)
            throw new ArgumentException($"{Name}: only {tw.Count} training windows with a target and no unseen missing input (of {trainRows.Count} rows, encoder {lay.Encoder}).", nameof(trainRows));
        var vw = nVal > 0 ? Usable(WindowSet.Build(Name, lay, frame, valRows, cutoff)) : null;
        var shape = config.Shape(lay);
        var (trained, report) = Trainer.Train(config, shape, tw, vw, device);
        ReleaseNet();
        net = trained; NativeResources.Acquired();
        layout = lay; Report = report;
        var first = trainRows.Min(); var last = trainRows.Max();
        var p = Parameters();
        p["epochs_run"] = report.Epochs.ToString(CultureInfo.InvariantCulture);
        p["best_epoch"] = report.BestEpoch.ToString(CultureInfo.InvariantCulture);
        p["best_validation_pinball"] = report.BestValidationLoss.ToString("G6", CultureInfo.InvariantCulture);
        p["precision"] = report.Precision.ToString();
        p["device"] = report.Device;
        Info = new FitInfo(Name, horizon, frame.Dates[first], frame.Dates[last], trainRows.Count, frame.FeatureHash, p, config.Seed);
    }

    /// <summary>Windows that have at least one target and no abstention (a training window with a never-missing-in-training
    /// feature missing cannot exist by construction, but one reaching before the first training row can).</summary>
    static WindowSet Usable(WindowSet w)
    {
        var k = w.Targets.Length / Math.Max(1, w.Count);
        var keep = Enumerable.Range(0, w.Count).Where(i => w.Abstain[i] is null && w.TargetMask.AsSpan(i * k, k).IndexOfAnyExcept(0f) >= 0).ToArray();
        if (keep.Length == w.Count) return w;
        int lc = w.Past.Length / Math.Max(1, w.Count), fc = w.Future.Length / Math.Max(1, w.Count);
        var past = new float[keep.Length * lc]; var fut = new float[keep.Length * fc]; var y = new float[keep.Length * k]; var m = new float[keep.Length * k];
        for (var j = 0; j < keep.Length; j++)
        {
            var i = keep[j];
            w.Past.AsSpan(i * lc, lc).CopyTo(past.AsSpan(j * lc)); w.Future.AsSpan(i * fc, fc).CopyTo(fut.AsSpan(j * fc));
            w.Targets.AsSpan(i * k, k).CopyTo(y.AsSpan(j * k)); w.TargetMask.AsSpan(i * k, k).CopyTo(m.AsSpan(j * k));
        }
        return new WindowSet { Count = keep.Length, Past = past, Future = fut, Targets = y, TargetMask = m, Abstain = new string?[keep.Length] };
    }

    Dictionary<string, string> Parameters() => new()
    {
        ["hidden"] = config.Hidden.ToString(CultureInfo.InvariantCulture), ["layers"] = config.Layers.ToString(CultureInfo.InvariantCulture),
        ["attention_heads"] = config.AttentionHeads.ToString(CultureInfo.InvariantCulture), ["dropout"] = config.Dropout.ToString("R", CultureInfo.InvariantCulture),
        ["width"] = config.Width.ToString("R", CultureInfo.InvariantCulture), ["encoder"] = config.Encoder.ToString(CultureInfo.InvariantCulture),
        ["learning_rate"] = config.LearningRate.ToString("R", CultureInfo.InvariantCulture), ["batch_size"] = config.BatchSize.ToString(CultureInfo.InvariantCulture),
        ["max_epochs"] = config.Epochs.ToString(CultureInfo.InvariantCulture), ["patience"] = config.Patience.ToString(CultureInfo.InvariantCulture),
    };

    public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows)
    {
        var (n, lay) = Fitted();
        ArgumentNullException.ThrowIfNull(frame);
        lay.RequireSameFeatures(Name, frame);
        foreach (var o in originRows)
            if (o < 0 || o >= frame.Rows) throw new ArgumentOutOfRangeException(nameof(originRows), o, $"{Name}: origin row outside the frame (0…{frame.Rows - 1}).");
        var w = WindowSet.Build(Name, lay, frame, originRows, -1);
        var q = Trainer.Predict(n, w, config.Shape(lay), device);
        var h = Array.IndexOf(lay.HeadHorizons, lay.Horizon);
        var sigma = lay.TargetSigmas[h];
        var result = new QuantileForecast[originRows.Count];
        for (var i = 0; i < result.Length; i++)
        {
            if (w.Abstain[i] is not null) { result[i] = QuantileForecast.Abstain; continue; }
            var o = (i * lay.Heads + h) * 3;
            result[i] = new QuantileForecast(q[o] * sigma, q[o + 1] * sigma, q[o + 2] * sigma);
        }
        return result;
    }

    /// <summary>Why the model abstains at each origin (null = it forecasts), in the order given.</summary>
    internal string?[] AbstentionReasons(Frame frame, IReadOnlyList<int> originRows)
    {
        var (_, lay) = Fitted();
        return WindowSet.Build(Name, lay, frame, originRows, -1).Abstain;
    }

    internal (QuantileNet Net, SequenceLayout Layout) Fitted()
    {
        if (disposed) throw new InvalidOperationException($"{Name}: the model was disposed.");
        if (net is null || layout is null) throw new InvalidOperationException($"{Name}: Predict before Fit.");
        return (net, layout);
    }

    void ObjectDisposedCheck()
    {
        if (disposed) throw new InvalidOperationException($"{Name}: the model was disposed.");
    }

    internal sealed record State(string Architecture, TrainConfig Config, SequenceLayout Layout, FitInfo Info);

    public void Save(string directory)
    {
        var (n, lay) = Fitted();
        ModelFiles.Write(directory, StateFile, new State(Name, config, lay, Info!));
        n.save(Path.Combine(directory, WeightsFile));
    }

    /// <summary>Reloads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">the folder holds a checkpoint of another architecture (names both), or
    /// weights that do not fit the saved shape.</exception>
    internal static DeepForecaster Load(string directory, string architecture)
    {
        var s = ModelFiles.Read<State>(directory, StateFile, architecture);
        if (s.Architecture != architecture || s.Config.Architecture != architecture)
            throw new InvalidDataException($"{Path.Combine(directory, StateFile)} is a checkpoint of a '{s.Architecture}' model, not '{architecture}'.");
        var m = new DeepForecaster(s.Config);
        var net = Trainer.Build(s.Config, s.Config.Shape(s.Layout));
        try { net.load(Path.Combine(directory, WeightsFile)); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            net.Dispose();
            throw new InvalidDataException($"{Path.Combine(directory, WeightsFile)}: the weights do not fit a '{architecture}' net of the saved shape " +
                                           $"({s.Layout.Channels} channels, encoder {s.Layout.Encoder}, hidden {s.Config.Hidden}): {e.Message}", e);
        }
        net.to(m.device); net.eval();
        m.net = net; NativeResources.Acquired();
        m.layout = s.Layout; m.Info = s.Info;
        return m;
    }

    void ReleaseNet()
    {
        if (net is null) return;
        net.Dispose(); net = null;
        NativeResources.Released();
    }

    public void Dispose()
    {
        if (disposed) return;
        ReleaseNet();
        disposed = true;
    }
}
