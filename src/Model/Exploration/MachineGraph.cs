using System.Text;
using System.Text.RegularExpressions;
using Kvmspec.Model.Machines;

namespace Kvmspec.Model.Exploration;

/// <summary>Renders a declared machine's table as a Mermaid state diagram or a DOT graph.</summary>
/// <remarks>One edge per (from-state, row); the label is the row's trigger, its named guard in
/// brackets and its named effects after a slash. Mermaid ids and labels go through
/// <see cref="MermaidText"/>; DOT ids and labels are quoted strings.</remarks>
public static partial class MachineGraph
{
    /// <summary>The machine as a Mermaid <c>stateDiagram-v2</c>.</summary>
    public static string Mermaid(IMachineInfo m)
    {
        var sb = new StringBuilder();
        sb.Append("stateDiagram-v2\n");
        sb.Append($"    [*] --> {MermaidText.Id(m.Initial)}\n");
        foreach (var (from, to, label) in m.Edges())
            sb.Append($"    {MermaidText.Id(from)} --> {MermaidText.Id(to)}: {MermaidText.Label(label)}\n");
        return sb.ToString();
    }

    /// <summary>The machine as a Graphviz DOT digraph.</summary>
    public static string Dot(IMachineInfo m)
    {
        var sb = new StringBuilder();
        sb.Append($"digraph {(PlainId().IsMatch(m.Name) ? m.Name : DotString(m.Name))} {{\n");
        sb.Append("    rankdir=LR;\n");
        sb.Append("    node [shape=box, style=rounded];\n");
        sb.Append($"    __start [shape=point]; __start -> {DotString(m.Initial)};\n");
        foreach (var (from, to, label) in m.Edges())
            sb.Append($"    {DotString(from)} -> {DotString(to)} [label={DotString(label)}];\n");
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>A DOT double-quoted string: backslashes and quotes escaped, line breaks as <c>\n</c>.</summary>
    public static string DotString(string s) =>
        "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\r", "").Replace("\n", "\\n") + "\"";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlainId();
}
