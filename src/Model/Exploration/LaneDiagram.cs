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

    /// <summary>The trace as a Mermaid <c>sequenceDiagram</c> with the participants VMM, KVM, CPU
    /// (CPU/EL2 on arm64) and Guest; the event at <paramref name="highlight"/> is drawn inside a
    /// red <c>rect</c> with a note carrying <paramref name="violation"/>.</summary>
    /// <remarks>ioctls and queries are VMM→KVM messages, exits KVM⇢VMM, guest entries KVM→Guest,
    /// exceptions CPU→Guest, the guest's register reads CPU⇢Guest and writes Guest→CPU; retirements
    /// are notes over whoever retired the instruction (Guest for the hardware), and internal notes and
    /// environment events notes over their lane. A run of identical consecutive lines (a guest
    /// spinning on <c>b .</c>) is drawn once with its count. Text goes through
    /// <see cref="MermaidText.Label"/>.</remarks>
    public static string Mermaid(Trace t, int? highlight = null, string? violation = null, string? title = null)
    {
        var sb = new StringBuilder();
        sb.Append("sequenceDiagram\n");
        if (title is not null) sb.Append($"    title {MermaidText.Label(title)}\n");
        sb.Append("    participant VMM\n");
        sb.Append("    participant KVM\n");
        sb.Append(t.Arch == "x86" ? "    participant CPU\n" : "    participant CPU as CPU/EL2\n");
        sb.Append("    participant Guest\n");
        var lines = t.Events.Select(MermaidLine).ToArray();
        for (int i = 0; i < lines.Length; i++)
        {
            if (i == highlight)
            {
                sb.Append("    rect rgb(255, 221, 221)\n");
                sb.Append("        ").Append(lines[i]).Append('\n');
                if (violation is not null) sb.Append($"        Note over VMM,Guest: ⚠ {MermaidText.Label(violation)}\n");
                sb.Append("    end\n");
                continue;
            }
            int run = 1;
            while (i + run < lines.Length && i + run != highlight && lines[i + run] == lines[i]) run++;
            sb.Append("    ").Append(lines[i]).Append(run > 1 ? $" (×{run})" : "").Append('\n');
            i += run - 1;
        }
        if (violation is not null && (highlight is null || highlight < 0 || highlight >= lines.Length))
        {
            sb.Append("    rect rgb(255, 221, 221)\n");
            sb.Append($"        Note over VMM,Guest: ⚠ {MermaidText.Label(violation)}\n");
            sb.Append("    end\n");
        }
        return sb.ToString();
    }

    private static string MermaidLine(TraceEvent e)
    {
        var text = MermaidText.Label(e.Describe());
        return e switch
        {
            Exit or RunFailed => $"KVM-->>VMM: {text}",
            { Role: EventRole.Input or EventRole.Query } => $"VMM->>KVM: {text}",
            Entered => $"KVM->>Guest: {text}",
            ExceptionTaken or X86ExceptionTaken => $"CPU->>Guest: {text}",
            GuestRegRead => $"CPU-->>Guest: {text}",
            GuestRegWrite => $"Guest->>CPU: {text}",
            _ => $"Note over {Participant(e.Lane)}: {text}",
        };
    }

    private static string Participant(Lane l) => l switch
    {
        Lane.Vmm => "VMM",
        Lane.Kvm => "KVM",
        Lane.Cpu => "CPU",
        _ => "Guest",
    };
}
