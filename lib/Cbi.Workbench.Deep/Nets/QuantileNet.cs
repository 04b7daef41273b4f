using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cbi.Workbench.Deep.Nets;

/// <summary>Sizes every network is built from: input channels of the encoder window, its length, known-future
/// channels per head, the number of head horizons, and the architecture's own hyperparameters.</summary>
internal sealed record NetShape(int Channels, int Encoder, int FutureChannels, int Heads, int Hidden, int Layers, int AttentionHeads, double Dropout, double Width);

/// <summary>Base of the workbench's networks: past window [B, L, C] and known-future inputs [B, K, F] in, P10/P50/P90
/// of the scaled K head-horizon targets out, [B, K, 3], ordered by construction (<see cref="Ordered"/>).</summary>
internal abstract class QuantileNet : nn.Module<Tensor, Tensor, Tensor>
{
    protected QuantileNet(string name, NetShape shape) : base(name) => Shape = shape;

    internal NetShape Shape { get; }

    /// <summary>True when a forward pass in training mode depends on the whole batch (batch normalisation): such a net
    /// is never trained in micro-batches (<see cref="Trainer.TrainChunks"/>).</summary>
    internal virtual bool UsesBatchStatistics => false;

    /// <summary>Maps raw outputs (median, lower gap, upper gap) to ordered quantiles q10 = m − softplus(a),
    /// q50 = m, q90 = m + softplus(b): crossing is impossible, which the pinball loss alone does not guarantee
    /// (non-crossing by construction as in Wen et al. 2017, "A multi-horizon quantile recurrent forecaster", Sec 3).</summary>
    internal static Tensor Ordered(Tensor raw)
    {
        var m = raw[.., .., 1];
        var lo = m - nn.functional.softplus(raw[.., .., 0]);
        var hi = m + nn.functional.softplus(raw[.., .., 2]);
        return stack([lo, m, hi], dim: -1);
    }
}

/// <summary>Pinball loss over P10/P50/P90 × head horizons, averaged over the targets that exist (mask 1).
/// ρ_τ(y − q) = max(τ(y − q), (τ − 1)(y − q)) (Koenker &amp; Bassett 1978).</summary>
internal static class Pinball
{
    internal static readonly double[] Levels = [0.1, 0.5, 0.9];

    /// <param name="q">[B, K, 3] predictions.</param>
    /// <param name="y">[B, K] targets.</param>
    /// <param name="mask">[B, K] 1 where the target exists.</param>
    internal static Tensor Loss(Tensor q, Tensor y, Tensor mask)
    {
        using var tau = tensor(new float[] { 0.1f, 0.5f, 0.9f }, device: q.device);
        var e = y.unsqueeze(-1) - q;
        var l = maximum(tau * e, tau.sub(Scalars.One) * e).sum(-1) * mask;
        return l.sum() / mask.sum().clamp_min(Scalars.One);
    }

    /// <summary>The masked pinball sum of a micro-batch over <paramref name="count"/>, the target count of its whole
    /// batch (a one-element tensor, at least 1): the micro-batches' values add up to <see cref="Loss"/> of the batch, and so
    /// do their gradients.</summary>
    internal static Tensor LossPart(Tensor q, Tensor y, Tensor mask, Tensor count)
    {
        using var tau = tensor(new float[] { 0.1f, 0.5f, 0.9f }, device: q.device);
        var e = y.unsqueeze(-1) - q;
        return (maximum(tau * e, tau.sub(Scalars.One) * e).sum(-1) * mask).sum() / count;
    }
}
