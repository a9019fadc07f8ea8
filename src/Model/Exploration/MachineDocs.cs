using System.Text;
using Kvmspec.Model.Machines;

namespace Kvmspec.Model.Exploration;

/// <summary>The generated diagrams of docs/machines.md: one Mermaid block per declared machine between
/// explicit markers, regenerated in place so that the human text around them stays.</summary>
public static class MachineDocs
{
    /// <summary>The command that rewrites the generated blocks of docs/machines.md.</summary>
    public const string RegenerateCommand = "dotnet run --project src/Cli -- graph --write-docs docs/machines.md";

    /// <summary>The line that closes every generated block.</summary>
    public const string End = "<!-- END GENERATED -->";

    private const string BeginPrefix = "<!-- BEGIN GENERATED: graph ";

    /// <summary>The line that opens the generated block of <paramref name="machine"/>.</summary>
    public static string Begin(string machine) => $"{BeginPrefix}{machine} -->";

    /// <summary>A machine's generated block: the markers around a <c>mermaid</c> fence holding
    /// <see cref="MachineGraph.Mermaid"/>.</summary>
    public static string Block(IMachineInfo m) => $"{Begin(m.Name)}\n```mermaid\n{MachineGraph.Mermaid(m)}```\n{End}";

    /// <summary>The text between (and including) the markers of <paramref name="machine"/>'s block in
    /// <paramref name="doc"/>, or null when the doc has no such block or it is not closed.</summary>
    public static string? Find(string doc, string machine)
    {
        var start = doc.IndexOf(Begin(machine), StringComparison.Ordinal);
        if (start < 0) return null;
        var end = doc.IndexOf(End, start, StringComparison.Ordinal);
        return end < 0 ? null : doc[start..(end + End.Length)];
    }

    /// <summary>The machine names of the generated blocks in <paramref name="doc"/>, in order.</summary>
    public static IReadOnlyList<string> BlockNames(string doc)
    {
        var names = new List<string>();
        for (int i = doc.IndexOf(BeginPrefix, StringComparison.Ordinal); i >= 0; i = doc.IndexOf(BeginPrefix, i + 1, StringComparison.Ordinal))
        {
            var close = doc.IndexOf(" -->", i, StringComparison.Ordinal);
            if (close > i) names.Add(doc[(i + BeginPrefix.Length)..close]);
        }
        return names;
    }

    /// <summary><paramref name="doc"/> with every machine's block regenerated in place; a machine
    /// without a block gets a new section (its name, its summary, its block) at the end.</summary>
    public static string Regenerate(string doc, IEnumerable<IMachineInfo> machines)
    {
        doc = doc.Replace("\r\n", "\n");
        foreach (var m in machines)
        {
            if (Find(doc, m.Name) is { } old)
            {
                doc = doc.Replace(old, Block(m), StringComparison.Ordinal);
                continue;
            }
            var sb = new StringBuilder(doc.TrimEnd('\n'));
            sb.Append($"\n\n## {m.Name}\n\n{m.Summary}\n\n{Block(m)}\n");
            doc = sb.ToString();
        }
        return doc;
    }
}
