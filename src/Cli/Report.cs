using System.Text;
using Kvmspec.Model.Exploration;
using Kvmspec.Spec.Invariants;

namespace Kvmspec.Cli;

/// <summary>The verdict matrix (variants × invariants) and the counterexamples, as text or Markdown.</summary>
public static class Report
{
    private static string Cell(VariantReport r, Invariant inv)
    {
        var found = r.Found.Keys.Where(k => k.StartsWith(inv.Id + ":", StringComparison.Ordinal)).Select(k => k[(inv.Id.Length + 1)..]).ToList();
        var missing = r.Missing.Where(k => k.StartsWith(inv.Id + ":", StringComparison.Ordinal)).Select(k => "?" + k[(inv.Id.Length + 1)..]);
        var parts = found.Select(p => r.Variant.ExpectedViolations.Contains($"{inv.Id}:{p}") ? p : "!" + p).Concat(missing).ToList();
        return parts.Count == 0 ? "ok" : string.Join(",", parts);
    }

    public static string Text(IReadOnlyList<VariantReport> reports, IReadOnlyList<Invariant> invs, string arch, int traces, int depth, ulong seed, TimeSpan elapsed)
    {
        var sb = new StringBuilder();
        int w0 = Math.Max(8, reports.Max(r => r.Variant.Label.Length)) + 2;
        var widths = invs.Select(i => Math.Max(i.Id.Length, reports.Max(r => Cell(r, i).Length)) + 2).ToArray();
        sb.AppendLine($"kvmspec check: {arch}, {reports.Count} variants, {traces} random traces each (depth {depth}, seed {seed}), {elapsed.TotalSeconds:F1} s");
        sb.AppendLine("cells: violated paths; ok = none; !path = found but not declared; ?path = declared but not found");
        sb.AppendLine();
        sb.Append("variant".PadRight(w0));
        for (int i = 0; i < invs.Count; i++) sb.Append(invs[i].Id.PadRight(widths[i]));
        sb.AppendLine("verdict");
        foreach (var r in reports)
        {
            sb.Append(r.Variant.Label.PadRight(w0));
            for (int i = 0; i < invs.Count; i++) sb.Append(Cell(r, invs[i]).PadRight(widths[i]));
            sb.AppendLine(r.AsDeclared ? "as declared" : "MISMATCH");
        }
        foreach (var r in reports.Where(r => r.Unhandled.Count > 0))
            foreach (var u in r.Unhandled) sb.AppendLine($"{r.Variant.Label}: model finding: {u}");
        foreach (var r in reports)
        {
            foreach (var (key, cx) in r.Found)
            {
                sb.AppendLine();
                sb.AppendLine($"== {r.Variant.Label} violates {key}{(r.Variant.ExpectedViolations.Contains(key) ? " (declared)" : " (NOT DECLARED)")}");
                sb.AppendLine($"   {cx.Violation.Message}");
                if (r.Variant.Reasons.TryGetValue(key, out var why)) sb.AppendLine($"   why: {why}");
                sb.AppendLine($"   guest program: {cx.Program}");
                sb.Append(LaneDiagram.Text(cx.Trace, cx.Violation.EventIndex, internals: false));
            }
        }
        sb.AppendLine();
        sb.AppendLine(reports.All(r => r.AsDeclared)
            ? "every variant's violations are as declared"
            : $"{reports.Count(r => !r.AsDeclared)} variant(s) differ from their declarations");
        return sb.ToString();
    }

    public static string Markdown(IReadOnlyList<VariantReport> reports, IReadOnlyList<Invariant> invs)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| variant | " + string.Join(" | ", invs.Select(i => i.Id)) + " | verdict |");
        sb.AppendLine("|---|" + string.Concat(invs.Select(_ => "---|")) + "---|");
        foreach (var r in reports)
            sb.AppendLine($"| `{r.Variant.Label}` | " + string.Join(" | ", invs.Select(i => Cell(r, i))) + $" | {(r.AsDeclared ? "as declared" : "MISMATCH")} |");
        return sb.ToString();
    }
}
