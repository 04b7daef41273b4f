using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cbi.Workbench.Deep.Nets;

/// <summary>Gated linear unit, Lim et al. 2021 ("Temporal Fusion Transformers for interpretable multi-horizon time
/// series forecasting", Int. J. Forecasting 37(4)), Sec 4.1 eq. (5): GLU(γ) = σ(W₄γ + b₄) ⊙ (W₅γ + b₅).</summary>
internal sealed class Glu : nn.Module<Tensor, Tensor>
{
    readonly Linear gate, value;
    internal Glu(int dIn, int dOut) : base("glu") { gate = nn.Linear(dIn, dOut); value = nn.Linear(dIn, dOut); RegisterComponents(); }
    public override Tensor forward(Tensor x) => sigmoid(gate.call(x)) * value.call(x);
}

/// <summary>Gated skip connection with layer normalisation, Lim et al. 2021 Sec 4.4–4.5 (the "Gate + Add &amp; Norm"
/// of Fig. 2, eqs. (16), (18), (20)): LayerNorm(skip + GLU(x)).</summary>
internal sealed class GateAddNorm : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Glu glu; readonly LayerNorm norm; readonly Dropout drop;
    internal GateAddNorm(int d, double dropout) : base("gate_add_norm") { glu = new Glu(d, d); norm = nn.LayerNorm(d); drop = nn.Dropout(dropout); RegisterComponents(); }
    public override Tensor forward(Tensor x, Tensor skip) => norm.call(skip + glu.call(drop.call(x)));
}

/// <summary>Gated residual network, Lim et al. 2021 Sec 4.1 eqs. (2)–(4): η₂ = ELU(W₂a + W₃c + b₂), η₁ = W₁η₂ + b₁,
/// GRN(a, c) = LayerNorm(a + GLU(η₁)), with a linear skip projection when input and output widths differ and the
/// context c optional.</summary>
internal sealed class Grn : nn.Module<Tensor, Tensor?, Tensor>
{
    readonly Linear w2, w1; readonly Linear? w3, skipProj; readonly Glu glu; readonly LayerNorm norm; readonly Dropout drop;
    internal Grn(int dIn, int d, int dOut, double dropout, bool context) : base("grn")
    {
        w2 = nn.Linear(dIn, d); w1 = nn.Linear(d, d);
        w3 = context ? nn.Linear(d, d, hasBias: false) : null;
        skipProj = dIn == dOut ? null : nn.Linear(dIn, dOut);
        glu = new Glu(d, dOut); norm = nn.LayerNorm(dOut); drop = nn.Dropout(dropout);
        RegisterComponents();
    }
    public override Tensor forward(Tensor a, Tensor? c)
    {
        var z = w2.call(a);
        if (w3 != null && c is not null) z = z + w3.call(c);
        var eta1 = drop.call(w1.call(z.elu(Scalars.One, Scalars.One, Scalars.One)));   // ELU with α = 1, without an implicit scalar
        return norm.call((skipProj is null ? a : skipProj.call(a)) + glu.call(eta1));
    }
}

/// <summary>Variable selection network, Lim et al. 2021 Sec 4.2 eqs. (6)–(8): each scalar input j gets its own linear
/// embedding ξⱼ; selection weights v = Softmax(GRN_v(Ξ, c_s)) over the flattened embeddings and the static context;
/// each embedding is processed by a GRN and the output is Σⱼ vⱼ ξ̃ⱼ. The paper gives every variable its own GRN_ξ(j);
/// here one GRN's weights are shared across variables (their embeddings already differ), which keeps the parameter
/// count independent of the ~60 inputs. The weights sum to one per step (tested).</summary>
internal sealed class VariableSelection : nn.Module<Tensor, Tensor?, (Tensor Output, Tensor Weights)>
{
    readonly Parameter embedW, embedB; readonly Grn select, each; readonly int m, d;
    internal VariableSelection(int variables, int d, double dropout) : base("vsn")
    {
        m = variables; this.d = d;
        embedW = nn.Parameter(randn(variables, d) * (1.0 / Math.Sqrt(d)));
        embedB = nn.Parameter(zeros(variables, d));
        select = new Grn(variables * d, d, variables, dropout, context: true);
        each = new Grn(d, d, d, dropout, context: false);
        RegisterComponents();
    }
    /// <param name="x">[..., m] scalar inputs.</param><param name="c">[..., d] static context or null.</param>
    public override (Tensor Output, Tensor Weights) forward(Tensor x, Tensor? c)
    {
        var xi = x.unsqueeze(-1) * embedW + embedB;                      // [..., m, d]
        var flat = xi.flatten(-2);                                       // [..., m·d]
        var v = softmax(select.call(flat, c), -1);                       // [..., m]
        var processed = each.call(xi, null);                             // [..., m, d]
        return ((v.unsqueeze(-1) * processed).sum(-2), v);
    }
}

/// <summary>Interpretable multi-head attention, Lim et al. 2021 Sec 4.4 eqs. (13)–(15): per-head query and key
/// projections, one value projection shared by all heads, the heads' attention-weighted values averaged (so the
/// averaged weights are the model's one attention pattern) and projected by W_H. Scaled dot products as in Vaswani
/// et al. 2017 Sec 3.2.1; a causal mask (Sec 4.5.3) lets each decoder step see the encoder and earlier decoder steps only.</summary>
internal sealed class InterpretableAttention : nn.Module<Tensor, Tensor, Tensor, (Tensor Output, Tensor Weights)>
{
    readonly Linear q, k, v, o; readonly int heads, dh; readonly Dropout drop;
    readonly Scalar sqrtDh;   // held by the module: an implicit scalar could be freed mid-call (Scalars)
    internal InterpretableAttention(int d, int heads, double dropout) : base("attention")
    {
        this.heads = heads; dh = Math.Max(1, d / heads); sqrtDh = Math.Sqrt(dh).ToScalar();
        q = nn.Linear(d, dh * heads); k = nn.Linear(d, dh * heads); v = nn.Linear(d, dh); o = nn.Linear(dh, d);
        drop = nn.Dropout(dropout);
        RegisterComponents();
    }
    /// <param name="query">[B, K, d]</param><param name="keys">[B, T, d]</param><param name="mask">[K, T] true = hidden.</param>
    public override (Tensor Output, Tensor Weights) forward(Tensor query, Tensor keys, Tensor mask)
    {
        long b = query.shape[0], kq = query.shape[1], t = keys.shape[1];
        var qh = q.call(query).view(b, kq, heads, dh).transpose(1, 2);          // [B, h, K, dh]
        var kh = k.call(keys).view(b, t, heads, dh).transpose(1, 2);            // [B, h, T, dh]
        var vv = v.call(keys).unsqueeze(1);                                     // [B, 1, T, dh]
        var scores = matmul(qh, kh.transpose(-2, -1)).div(sqrtDh);
        var a = softmax(scores.masked_fill(mask, Scalars.NegativeInfinity), -1);  // [B, h, K, T]
        var mean = drop.call(matmul(a, vv)).mean([1]);                          // [B, K, dh]
        return (o.call(mean), a.mean([1]));
    }
}

/// <summary>The Temporal Fusion Transformer (Lim et al. 2021, Sec 4, Fig. 2) with quantile outputs for all head
/// horizons at once (Sec 4.6). Static covariate encoders (Sec 4.3): this is a single series without static covariates,
/// so a learnt static embedding feeds the four context GRNs (c_s for variable selection, c_e for enrichment, c_h and
/// c_c for the LSTM's initial state). Variable selection for past inputs (observed, known and mask channels) and for
/// known-future inputs (Sec 4.2); an LSTM encoder over the window and an LSTM decoder over the K head horizons
/// (sequence-to-sequence layer, Sec 4.5.1) with a gated skip; static enrichment (Sec 4.5.2, eq. 17); interpretable
/// multi-head attention with a causal mask (Sec 4.4, 4.5.3); position-wise feed-forward GRN (Sec 4.5.4) and a gated
/// skip over the whole temporal block; a linear P10/P50/P90 output per decoder step (Sec 4.6).</summary>
internal sealed class Tft : QuantileNet
{
    readonly Parameter staticEmbedding;
    readonly Grn cs, ce, ch, cc, enrich, feedForward;
    readonly VariableSelection pastVsn, futureVsn;
    readonly LSTM encoder, decoder;
    readonly GateAddNorm lstmGate, attnGate, outGate;
    readonly InterpretableAttention attention;
    readonly Linear output;

    internal Tft(NetShape s) : base("tft", s)
    {
        var d = s.Hidden;
        staticEmbedding = nn.Parameter(randn(d) * 0.1);
        cs = new Grn(d, d, d, s.Dropout, false); ce = new Grn(d, d, d, s.Dropout, false);
        ch = new Grn(d, d, d, s.Dropout, false); cc = new Grn(d, d, d, s.Dropout, false);
        pastVsn = new VariableSelection(s.Channels, d, s.Dropout);
        futureVsn = new VariableSelection(s.FutureChannels, d, s.Dropout);
        encoder = nn.LSTM(d, d, numLayers: s.Layers, batchFirst: true, dropout: s.Layers > 1 ? s.Dropout : 0);
        decoder = nn.LSTM(d, d, numLayers: s.Layers, batchFirst: true, dropout: s.Layers > 1 ? s.Dropout : 0);
        lstmGate = new GateAddNorm(d, s.Dropout);
        enrich = new Grn(d, d, d, s.Dropout, context: true);
        attention = new InterpretableAttention(d, s.AttentionHeads, s.Dropout);
        attnGate = new GateAddNorm(d, s.Dropout);
        feedForward = new Grn(d, d, d, s.Dropout, false);
        outGate = new GateAddNorm(d, 0);
        output = nn.Linear(d, 3);
        RegisterComponents();
    }

    public override Tensor forward(Tensor past, Tensor future) => Run(past, future).Quantiles;

    /// <summary>Forward pass that also returns the interpretation: past selection weights [B, L, C], future selection
    /// weights [B, K, F] and the attention of each decoder step over encoder + decoder steps [B, K, L + K].</summary>
    internal (Tensor Quantiles, Tensor PastWeights, Tensor FutureWeights, Tensor Attention) Run(Tensor past, Tensor future)
    {
        long b = past.shape[0], l = past.shape[1], k = future.shape[1];
        var s = staticEmbedding.unsqueeze(0).expand(b, -1);
        var cS = cs.call(s, null); var cE = ce.call(s, null);
        var h0 = ch.call(s, null).unsqueeze(0).expand(Shape.Layers, -1, -1).contiguous();
        var c0 = cc.call(s, null).unsqueeze(0).expand(Shape.Layers, -1, -1).contiguous();

        var (pastX, pastW) = pastVsn.call(past, cS.unsqueeze(1).expand(-1, l, -1));
        var (futX, futW) = futureVsn.call(future, cS.unsqueeze(1).expand(-1, k, -1));
        var (encOut, hN, cN) = encoder.call(pastX, (h0, c0));
        var (decOut, _, _) = decoder.call(futX, (hN, cN));
        var phi = lstmGate.call(cat([encOut, decOut], 1), cat([pastX, futX], 1));   // [B, L+K, d]
        var theta = enrich.call(phi, cE.unsqueeze(1).expand(-1, l + k, -1));
        using var mask = ones(k, l + k, dtype: ScalarType.Bool, device: past.device).triu(l + 1);
        var query = theta[.., (int)l.., ..];
        var (att, weights) = attention.call(query, theta, mask);
        var delta = attnGate.call(att, query);
        var psi = outGate.call(feedForward.call(delta, null), phi[.., (int)l.., ..]);
        return (Ordered(output.call(psi)), pastW, futW, weights);
    }
}
