using System.Text;
using Kvmspec.Model.Machines;

namespace Kvmspec.Model.Exploration;

/// <summary>Renders a declared machine's table as a Mermaid state diagram or a DOT graph.</summary>
public static class MachineGraph
{
    public static string Mermaid(IMachineInfo m)
    {
        var sb = new StringBuilder();
        sb.AppendLine("stateDiagram-v2");
        sb.AppendLine($"    [*] --> {m.Initial}");
        foreach (var (from, to, label) in m.Edges())
            sb.AppendLine($"    {from} --> {to}: {Esc(label)}");
        return sb.ToString();
    }

    public static string Dot(IMachineInfo m)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"digraph {m.Name} {{");
        sb.AppendLine("    rankdir=LR;");
        sb.AppendLine("    node [shape=box, style=rounded];");
        sb.AppendLine($"    __start [shape=point]; __start -> {m.Initial};");
        foreach (var (from, to, label) in m.Edges())
            sb.AppendLine($"    {from} -> {to} [label=\"{label.Replace("\"", "\\\"")}\"];");
        sb.AppendLine("}");
        return sb.ToString();
    }

    private static string Esc(string s) => s.Replace(":", " -").Replace(";", ",");
}
