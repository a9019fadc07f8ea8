using System.Text;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Exploration;

/// <summary>Draws a trace as lanes: VMM | KVM | CPU/EL2 | guest, one event per line, in order.</summary>
public static class LaneDiagram
{
    private const int Width = 28;
    private static readonly string[] Names = ["VMM", "KVM", "CPU/EL2", "guest"];

    public static string Text(Trace t, int? highlight = null, bool internals = true)
    {
        var sb = new StringBuilder();
        sb.Append("      ");
        foreach (var n in Names) sb.Append(n.PadRight(Width));
        sb.AppendLine();
        sb.Append("      ").AppendLine(new string('-', Width * Names.Length));
        for (int i = 0; i < t.Events.Length; i++)
        {
            var e = t.Events[i];
            if (!internals && e.Role == EventRole.Internal) continue;
            var mark = i == highlight ? ">>" : "  ";
            var text = e.Role == EventRole.Internal ? "(" + e.Describe() + ")" : e.Describe();
            sb.Append(mark).Append($"{i,3} ").Append(new string(' ', (int)e.Lane * Width)).Append(text).AppendLine();
        }
        return sb.ToString();
    }

    public static string Mermaid(Trace t, int? highlight = null)
    {
        var sb = new StringBuilder();
        sb.AppendLine("sequenceDiagram");
        sb.AppendLine("    participant VMM");
        sb.AppendLine("    participant KVM");
        sb.AppendLine("    participant CPU as CPU/EL2");
        sb.AppendLine("    participant G as guest");
        for (int i = 0; i < t.Events.Length; i++)
        {
            var e = t.Events[i];
            var text = Escape(e.Describe()) + (i == highlight ? " ⚠" : "");
            sb.AppendLine(e switch
            {
                { Role: EventRole.Input } or GetOneReg => $"    VMM->>KVM: {text}",
                Exit or RunFailed => $"    KVM-->>VMM: {text}",
                { Role: EventRole.Environment } => $"    Note over CPU: {text}",
                Retired { By: RetiredBy.Hardware } => $"    Note over G: {text}",
                Retired { By: RetiredBy.Kvm } => $"    Note over KVM: {text}",
                Retired => $"    Note over VMM: {text}",
                ExceptionTaken or GuestRegRead => $"    CPU->>G: {text}",
                Note { At: Lane.Cpu } => $"    Note over CPU: {text}",
                Note { At: Lane.Kvm } => $"    Note over KVM: {text}",
                _ => $"    Note over G: {text}",
            });
        }
        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace(";", ",").Replace("#", "").Replace("<", "&lt;").Replace(">", "&gt;");
}
