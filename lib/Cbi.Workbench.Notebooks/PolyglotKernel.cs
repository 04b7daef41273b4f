using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Events;

namespace Cbi.Workbench.Notebooks;

/// <summary>The kernel a headless run uses: composed as dotnet-repl 0.3.259 composes its own (C# with the kernel
/// helpers, value sharing and <c>#!who</c>, the <c>value</c> store, <c>#!import</c>, an input kernel for
/// <c>@input:</c>), minus what needs something this machine does not run: F# and PowerShell (their kernels are not
/// served) and JavaScript/HTML (they need a browser; dotnet-repl fails those cells too).</summary>
internal static class PolyglotKernel
{
    public static CompositeKernel Create(IReadOnlyDictionary<string, string> inputs)
    {
        var composite = new CompositeKernel().UseImportMagicCommand();
        composite.Add(new CSharpKernel().UseKernelHelpers().UseWho().UseValueSharing(), ["c#", "C#"]);
        composite.Add(new KeyValueStoreKernel("value", new HttpClient()).UseWho());
        composite.Add(new MarkdownKernel());
        composite.Add(new BrowserOnlyKernel("javascript"), ["js"]);
        composite.Add(new BrowserOnlyKernel("html"));
        var ask = new InputKernel(inputs);
        composite.Add(ask);
        composite.SetDefaultTargetKernelNameForCommand(typeof(RequestInput), ask.Name);
        composite.DefaultKernelName = "csharp";
        return composite;
    }

    /// <summary>The kernel names a .dib may use as cell separators (dotnet-repl derives them the same way).</summary>
    public static KernelInfoCollection KernelInfos(CompositeKernel kernel)
    {
        var infos = new KernelInfoCollection();
        foreach (var child in kernel.ChildKernels)
            infos.Add(new Microsoft.DotNet.Interactive.Documents.KernelInfo(child.Name, child.KernelInfo.LanguageName, child.KernelInfo.Aliases));
        infos.DefaultKernelName = "csharp";
        return infos;
    }

    /// <summary>Markdown is text; its cells are not submitted (they have no outputs in an .ipynb).</summary>
    sealed class MarkdownKernel : Kernel, IKernelCommandHandler<SubmitCode>
    {
        public MarkdownKernel() : base("markdown") { KernelInfo.LanguageName = "Markdown"; }
        public Task HandleAsync(SubmitCode command, KernelInvocationContext context) => Task.CompletedTask;
    }

    sealed class BrowserOnlyKernel : Kernel, IKernelCommandHandler<SubmitCode>
    {
        public BrowserOnlyKernel(string name) : base(name) { KernelInfo.LanguageName = name == "html" ? "HTML" : "JavaScript"; }

        public Task HandleAsync(SubmitCode command, KernelInvocationContext context)
        {
            context.Fail(command, message: $"#!{Name} cells run in a browser (VS Code's notebook view); a headless run has none, " +
                                           "so this cell fails here as it does under dotnet repl");
            return Task.CompletedTask;
        }
    }

    /// <summary>Answers <c>@input:key</c> (e.g. <c>#!set --name h --value @input:horizon</c>) from the run's
    /// <c>--input key=value</c> pairs, case-insensitively as dotnet-repl does; a missing key fails the cell by name
    /// instead of waiting for a person at a prompt.</summary>
    sealed class InputKernel(IReadOnlyDictionary<string, string> inputs) : Kernel("ask"), IKernelCommandHandler<RequestInput>
    {
        readonly Dictionary<string, string> values = new(inputs, StringComparer.OrdinalIgnoreCase);

        public Task HandleAsync(RequestInput command, KernelInvocationContext context)
        {
            // dotnet-repl looks the prompt up: for @input:horizon it is "horizon".
            var key = command.Prompt ?? command.ParameterName;
            if (key is not null && values.TryGetValue(key, out var value))
                context.Publish(new InputProduced(value, command));
            else
                context.Fail(command, message: $"no value for @input:{key}: pass --input {key}=VALUE");
            return Task.CompletedTask;
        }
    }
}
