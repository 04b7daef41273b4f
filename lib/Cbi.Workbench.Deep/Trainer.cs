using System.Diagnostics;
using Cbi.Workbench.Deep.Nets;
using Cbi.Workbench.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Cbi.Workbench.Deep;

/// <summary>Numeric precision of training.</summary>
internal enum Precision
{
    /// <summary>bfloat16 compute with fp32 master weights where the CPU has native bfloat16 (AVX-512 BF16 or AMX) and the
    /// net is wide enough to gain from it (<see cref="Trainer.Bf16MinHidden"/>), fp32 elsewhere (and on CUDA).</summary>
    Auto,
    /// <summary>fp32 throughout.</summary>
    Float32,
    /// <summary>bfloat16 forward and backward on a working copy of the weights; gradients are copied to the fp32 master
    /// weights, which AdamW updates (mixed precision as in Micikevicius et al. 2018, Sec 3.1, with bfloat16 instead of
    /// fp16 so no loss scaling is needed).</summary>
    BFloat16,
}

/// <summary>Everything one training run depends on. Defaults suit a small net on ~5,000 daily windows.</summary>
internal sealed record TrainConfig
{
    public string Architecture { get; init; } = "tft";
    public int Hidden { get; init; } = 32;
    public int Layers { get; init; } = 1;
    public int AttentionHeads { get; init; } = 2;
    public double Dropout { get; init; } = 0.1;
    /// <summary>MLP width multiplier of the seed's 512-256-128-64.</summary>
    public double Width { get; init; } = 1;
    public int Encoder { get; init; } = 30;
    public double LearningRate { get; init; } = 1e-3;
    public double WeightDecay { get; init; } = 1e-4;
    public int BatchSize { get; init; } = 64;
    public int Epochs { get; init; } = 10;
    /// <summary>When &gt; 0, only the most recent this many training origins are used (smoke runs); 0 = all.</summary>
    public int MaxWindows { get; init; }
    /// <summary>Epochs without a better validation loss before stopping; 0 = never stop early.</summary>
    public int Patience { get; init; } = 3;
    /// <summary>Share of the (chronologically last) training origins held out for early stopping.</summary>
    public double ValidationFraction { get; init; } = 0.15;
    /// <summary>Share of all steps spent warming the learning rate up linearly before the cosine decay.</summary>
    public double WarmupFraction { get; init; } = 0.05;
    public double ClipNorm { get; init; } = 1.0;
    public int Seed { get; init; } = 42;
    /// <summary>libtorch intra-op threads (1–2 on the shared 2-core machines).</summary>
    public int Threads { get; init; } = 2;
    public Precision Precision { get; init; } = Precision.Auto;
    /// <summary>Print a line per epoch (epoch, losses, ETA).</summary>
    public bool Progress { get; init; }
    /// <summary>Horizons of the output heads besides the fitted one.</summary>
    public int[] HeadHorizons { get; init; } = [1, 5, 21, 63, 126, 252];

    internal NetShape Shape(SequenceLayout layout) => new(layout.Channels, layout.Encoder, SequenceLayout.FutureChannels, layout.Heads,
        Hidden, Layers, AttentionHeads, Dropout, Width);
}

/// <summary>What a training run did.</summary>
internal sealed record TrainReport(int Epochs, int BestEpoch, double BestValidationLoss, double[] TrainLoss, double[] ValidationLoss,
    int TrainWindows, int ValidationWindows, string Device, Precision Precision, double Seconds, double[] StepMs);

/// <summary>The one training loop of the workbench's networks: AdamW (Loshchilov &amp; Hutter 2019), linear warm-up
/// then cosine decay of the learning rate (Loshchilov &amp; Hutter 2017, SGDR Sec 3 without restarts), gradient clipping
/// by global norm, pinball loss over P10/P50/P90 × head horizons, early stopping on a purged chronological validation
/// tail (the best epoch's weights are kept), reproducible seeding, a dispose scope per step so native memory stays flat
/// over epochs, optional bfloat16 mixed precision.</summary>
internal static class Trainer
{
    /// <summary>CUDA when a CUDA build of libtorch is present, else the CPU.</summary>
    internal static Device DefaultDevice => cuda.is_available() ? CUDA : CPU;

    /// <summary>True when the CPU executes bfloat16 natively (AVX-512 BF16 or AMX-BF16, from /proc/cpuinfo).</summary>
    internal static bool CpuHasBf16 => cpuBf16.Value;
    static readonly Lazy<bool> cpuBf16 = new(() =>
    {
        try { var t = File.ReadAllText("/proc/cpuinfo"); return t.Contains(" avx512_bf16") || t.Contains(" amx_bf16"); }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    });

    /// <summary>Nets at least this wide train in bfloat16 under <see cref="Precision.Auto"/>. Measured here
    /// (artifacts/bench/deep-*-step-*.json, fp32 and bf16 interleaved in one run, 2 threads): the reference LSTM (hidden 128)
    /// steps in 66 ms in bf16 against 124 ms in fp32, the default TFT (hidden 16) in 44 ms against 36 ms — small nets
    /// are bound by elementwise work and the weight copies, where bf16 only adds casts.</summary>
    internal const int Bf16MinHidden = 64;

    internal static Precision Resolve(Precision p, Device device, int hidden = Bf16MinHidden) => p switch
    {
        Precision.Auto => device.type == DeviceType.CPU && CpuHasBf16 && hidden >= Bf16MinHidden ? Precision.BFloat16 : Precision.Float32,
        _ => p,
    };

    internal static QuantileNet Build(TrainConfig c, NetShape s) => c.Architecture switch
    {
        "tft" => new Tft(s),
        "mlp" => new DeepMlp(s),
        "lstm_attn" => new LstmAttention(s),
        "tcn" => new Tcn(s),
        "nbeatsx" => new NBeatsX(s),
        _ => throw new ArgumentException($"unknown architecture '{c.Architecture}'; known: tft, mlp, lstm_attn, tcn, nbeatsx."),
    };

    /// <summary>Trains a fresh net on the given windows. The validation windows are scored each epoch in fp32 (eval mode).</summary>
    internal static (QuantileNet Net, TrainReport Report) Train(TrainConfig c, NetShape shape, WindowSet train, WindowSet? validation, Device device,
        Action<int, double>? epochReport = null)
    {
        torch.set_num_threads(Math.Max(1, c.Threads));
        torch.manual_seed(c.Seed);
        var precision = Resolve(c.Precision, device, c.Hidden);
        var net = Build(c, shape);
        net.to(device);
        QuantileNet? work = null;
        try
        {
            if (precision == Precision.BFloat16) { work = Build(c, shape); work.to(device); work.to(ScalarType.BFloat16); }
            var report = Loop(c, shape, net, work, train, validation, device, precision, epochReport);
            return (net, report);
        }
        catch { net.Dispose(); throw; }
        finally { work?.Dispose(); }
    }

    static TrainReport Loop(TrainConfig c, NetShape shape, QuantileNet net, QuantileNet? work, WindowSet train, WindowSet? validation, Device device,
        Precision precision, Action<int, double>? epochReport)
    {
        var sw = Stopwatch.StartNew();
        var master = net.parameters().ToArray();
        var workParams = work?.parameters().ToArray();
        using var optimizer = optim.AdamW(master, lr: c.LearningRate, weight_decay: c.WeightDecay);
        var (tp, tf, ty, tm) = Tensors(train, shape, device);
        var v = validation is { Count: > 0 } ? Tensors(validation, shape, device) : default;
        try
        {
            var rng = new Random(c.Seed);
            var n = train.Count;
            var batch = Math.Min(c.BatchSize, n);
            var stepsPerEpoch = Math.Max(1, n / batch); // a short last batch is dropped (BatchNorm needs > 1 row)
            var total = stepsPerEpoch * c.Epochs;
            var warmup = Math.Max(1, (int)(total * c.WarmupFraction));
            var trainLoss = new List<double>(); var valLoss = new List<double>();
            double best = double.PositiveInfinity; var bestEpoch = -1;
            Dictionary<string, Tensor>? bestState = null;
            var step = 0; var bad = 0;
            var stepMs = new List<double>();
            for (var epoch = 0; epoch < c.Epochs; epoch++)
            {
                net.train(); work?.train();
                var order = Enumerable.Range(0, n).ToArray();
                rng.Shuffle(order);
                double sum = 0;
                for (var s = 0; s < stepsPerEpoch; s++, step++)
                {
                    using var scope = NewDisposeScope();
                    var t0 = Stopwatch.GetTimestamp();
                    var lr = step < warmup ? c.LearningRate * (step + 1) / warmup
                        : c.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (step - warmup) / Math.Max(1, total - warmup)));
                    foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
                    var idx = tensor(order.AsSpan(s * batch, batch).ToArray().Select(i => (long)i).ToArray(), device: device);
                    var xp = tp.index_select(0, idx); var xf = tf.index_select(0, idx); var y = ty.index_select(0, idx); var m = tm.index_select(0, idx);
                    optimizer.zero_grad();
                    // Wide nets are trained in micro-batches whose gradients add up to the batch's (each one's activations
                    // freed after its backward pass), so a TFT at its widest point fits in memory; the step is the same.
                    var chunks = TrainChunks(shape, batch, net);
                    // The whole batch's target count as a tensor: each micro-batch's loss is divided by it without any
                    // implicit Scalar (TorchSharp's implicit scalars and dispose scopes do not mix safely).
                    var count = chunks > 1 ? m.sum().clamp_min(Scalars.One) : null;
                    var rowsPerChunk = (batch + chunks - 1) / chunks;
                    double stepLoss = 0;
                    if (work is not null)
                    {
                        using (no_grad())
                            for (var i = 0; i < master.Length; i++) workParams![i].copy_(master[i]);
                        foreach (var p in workParams!) p.grad?.zero_();
                    }
                    for (var start = 0; start < batch; start += rowsPerChunk)
                    {
                        using var chunkScope = NewDisposeScope();
                        var len = Math.Min(rowsPerChunk, batch - start);
                        var (cp, cf, cy, cm) = chunks > 1 ? (xp.narrow(0, start, len), xf.narrow(0, start, len), y.narrow(0, start, len), m.narrow(0, start, len)) : (xp, xf, y, m);
                        var q = work is null ? net.call(cp, cf) : work.call(cp.to(ScalarType.BFloat16), cf.to(ScalarType.BFloat16)).to(ScalarType.Float32);
                        var loss = chunks > 1 ? Pinball.LossPart(q, cy, cm, count!) : Pinball.Loss(q, cy, cm);
                        loss.backward(); // gradients of the micro-batches add up in .grad (autograd accumulates)
                        stepLoss += loss.item<float>(); // item() waits for the backward pass, so the time below is the whole step
                    }
                    if (work is not null) ToMaster(master, workParams!);
                    nn.utils.clip_grad_norm_(master, c.ClipNorm);
                    optimizer.step();
                    sum += stepLoss;
                    stepMs.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }
                if (work is not null) CopyBuffers(work, net);
                trainLoss.Add(sum / stepsPerEpoch);
                var vl = v.Past is null ? trainLoss[^1] : Evaluate(net, v.Past, v.Future, v.Y, v.M, InferenceBatch(shape, c.BatchSize * 4));
                valLoss.Add(vl);
                if (vl < best - 1e-7)
                {
                    best = vl; bestEpoch = epoch; bad = 0;
                    DisposeState(bestState);
                    using var keep = NewDisposeScope(); // the state_dict's own handles go with it; the copies move out
                    bestState = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().MoveToOuterDisposeScope());
                }
                else bad++;
                epochReport?.Invoke(epoch, vl);
                if (c.Progress)
                {
                    var eta = TimeSpan.FromSeconds(sw.Elapsed.TotalSeconds / (epoch + 1) * (c.Epochs - epoch - 1));
                    Log.Progress($"[{c.Architecture}] epoch {epoch + 1}/{c.Epochs}: train loss {trainLoss[^1]:F4}, validation loss {vl:F4}" +
                                 $"{(bestEpoch == epoch ? " (best)" : "")}, {sw.Elapsed.TotalSeconds:F1} s, ETA {eta.TotalSeconds:F0} s");
                }
                if (c.Patience > 0 && bad >= c.Patience) break;
            }
            if (bestState is not null)
            {
                using var load = NewDisposeScope();
                net.load_state_dict(bestState);
                DisposeState(bestState);
            }
            net.eval();
            return new TrainReport(trainLoss.Count, bestEpoch + 1, best, trainLoss.ToArray(), valLoss.ToArray(), n, validation?.Count ?? 0,
                device.type.ToString(), precision, sw.Elapsed.TotalSeconds, stepMs.ToArray());
        }
        finally
        {
            tp.Dispose(); tf.Dispose(); ty.Dispose(); tm.Dispose();
            v.Past?.Dispose(); v.Future?.Dispose(); v.Y?.Dispose(); v.M?.Dispose();
        }
    }

    /// <summary>The working copy's bf16 gradients (summed over the step's micro-batches by autograd) copied into the fp32
    /// master's.</summary>
    static void ToMaster(TorchSharp.Modules.Parameter[] master, TorchSharp.Modules.Parameter[] work)
    {
        using var _ = no_grad();
        for (var i = 0; i < master.Length; i++)
        {
            var g = work[i].grad;
            if (g is null) continue;
            var mg = master[i].grad;
            if (mg is null) master[i].grad = g.to(ScalarType.Float32).DetachFromDisposeScope();
            else mg.copy_(g);
        }
    }

    static void DisposeState(Dictionary<string, Tensor>? s) { if (s != null) foreach (var t in s.Values) t.Dispose(); }

    /// <summary>BatchNorm running statistics are updated on the working copy; the master (used for evaluation) takes them over.</summary>
    static void CopyBuffers(QuantileNet from, QuantileNet to)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var src = from.named_buffers().ToDictionary(kv => kv.name, kv => kv.buffer);
        foreach (var (name, buffer) in to.named_buffers())
            if (src.TryGetValue(name, out var b)) buffer.copy_(b.to(buffer.dtype));
    }

    internal static (Tensor Past, Tensor Future, Tensor Y, Tensor M) Tensors(WindowSet w, NetShape s, Device device) =>
        (tensor(w.Past, [w.Count, s.Encoder, s.Channels], device: device), tensor(w.Future, [w.Count, s.Heads, s.FutureChannels], device: device),
         tensor(w.Targets, [w.Count, s.Heads], device: device), tensor(w.TargetMask, [w.Count, s.Heads], device: device));

    /// <summary>Mean pinball loss of a net (eval mode, fp32) over windows, in batches.</summary>
    internal static double Evaluate(QuantileNet net, Tensor past, Tensor future, Tensor y, Tensor m, int batch)
    {
        net.eval();
        using var _ = no_grad();
        double sum = 0, count = 0;
        var n = past.shape[0];
        for (long i = 0; i < n; i += batch)
        {
            using var scope = NewDisposeScope();
            var e = Math.Min(n, i + batch);
            var q = net.call(past.narrow(0, i, e - i), future.narrow(0, i, e - i));
            var mm = m.narrow(0, i, e - i);
            var cnt = mm.sum().item<float>();
            sum += Pinball.Loss(q, y.narrow(0, i, e - i), mm).item<float>() * Math.Max(1, cnt);
            count += Math.Max(1, cnt);
        }
        return count == 0 ? double.NaN : sum / count;
    }

    /// <summary>Training elements per micro-batch (windows × lags × channels × hidden width, 32 MB in fp32): a TFT keeps a
    /// few dozen activations of that size alive for its backward pass (each op's result is a handle until the micro-batch's
    /// dispose scope ends), so this holds a step under about 1 GB.</summary>
    internal const long TrainElements = 1L << 23;

    /// <summary>Micro-batches one training step of <paramref name="batch"/> windows is split into: 1 when the widest
    /// activation fits <see cref="TrainElements"/> or the net uses batch statistics; otherwise enough that each fits. The
    /// size rule (lags × channels × hidden per window) is the TFT's widest activation and an upper bound for the other
    /// sequence nets (LSTM with attention, TCN, N-BEATSx), which it may split more than they need; the step is the same.</summary>
    internal static int TrainChunks(NetShape s, int batch, QuantileNet net)
    {
        if (net.UsesBatchStatistics || batch <= 1) return 1;
        var rows = Math.Max(1L, TrainElements / WindowElements(s));
        return (int)Math.Min(batch, (batch + rows - 1) / rows);
    }

    /// <summary>Inference elements per batch (windows × lags × channels × hidden width): the widest activation of a
    /// network (the TFT's per-variable selection GRNs are [B, L, C, hidden]) stays near 64 MB in fp32, and a batch's
    /// dozen such results (alive until its dispose scope ends) under 1 GB.</summary>
    internal const long InferenceElements = 1L << 24;

    /// <summary>At most <paramref name="wanted"/> windows per inference batch, fewer where one batch's widest activation
    /// would exceed <see cref="InferenceElements"/> (a 512-window batch of a 120-lag, 64-wide TFT with about 100 channels
    /// needed 1.6 GB per activation and pushed the full run past 4 GB); at least 1. Eval mode has no batch statistics, so the
    /// outputs do not depend on it (beyond floating-point summation order).</summary>
    internal static int InferenceBatch(NetShape s, int wanted) =>
        (int)Math.Clamp(InferenceElements / WindowElements(s), 1, Math.Max(1, wanted));

    /// <summary>Elements of one window's widest activation, lags × channels × hidden width (the TFT's per-variable
    /// selection GRNs), ≥ 1: the unit of <see cref="TrainElements"/> and <see cref="InferenceElements"/>.</summary>
    static long WindowElements(NetShape s) => Math.Max(1L, (long)s.Encoder * s.Channels * Math.Max(1, s.Hidden));

    /// <summary>Forward pass of many windows in fp32 eval mode, [N, K, 3] as a managed array.</summary>
    internal static float[] Predict(QuantileNet net, WindowSet w, NetShape s, Device device, int batch = 512)
    {
        batch = InferenceBatch(s, batch);
        net.eval();
        using var _ = no_grad();
        var output = new float[w.Count * s.Heads * 3];
        for (var i = 0; i < w.Count; i += batch)
        {
            using var scope = NewDisposeScope();
            var e = Math.Min(w.Count, i + batch);
            var p = tensor(w.Past.AsSpan(i * s.Encoder * s.Channels, (e - i) * s.Encoder * s.Channels).ToArray(), [e - i, s.Encoder, s.Channels], device: device);
            var f = tensor(w.Future.AsSpan(i * s.Heads * s.FutureChannels, (e - i) * s.Heads * s.FutureChannels).ToArray(), [e - i, s.Heads, s.FutureChannels], device: device);
            var q = net.call(p, f).to(CPU).data<float>().ToArray();
            q.CopyTo(output.AsSpan(i * s.Heads * 3));
        }
        return output;
    }
}
