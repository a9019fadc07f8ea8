using System.Text;
using Kvmspec.Model.Exploration;
using Kvmspec.Model.Exploration.Exhaustive;
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

    public static string Text(IReadOnlyList<VariantReport> reports, IReadOnlyList<Invariant> invs, string arch, CheckBounds b, TimeSpan elapsed)
    {
        var sb = new StringBuilder();
        int w0 = Math.Max(8, reports.Max(r => r.Variant.Label.Length)) + 2;
        var widths = invs.Select(i => Math.Max(i.Id.Length, reports.Max(r => Cell(r, i).Length)) + 2).ToArray();
        sb.AppendLine($"kvmspec check: {arch}, {reports.Count} variants (the whole check took {elapsed.TotalSeconds:F1} s)");
        if (b.Exhaustive)
            sb.AppendLine($"exhaustive: every program of 1..{b.ProgramLength} instruction(s), every action sequence up to {b.Depth}, at most {b.MaxStates:N0} states per variant, {b.Threads} thread(s)");
        sb.AppendLine($"random probe beyond the bound: {b.Traces} traces per variant (up to {b.RandomSize} actions, seed {b.Seed}), counterexamples shrunk");
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
        if (reports.Any(r => r.Exhaustive is not null))
        {
            sb.AppendLine();
            sb.AppendLine("exhaustive search per variant: distinct states, transitions, depth, states/s, bytes per stored state, peak heap");
            foreach (var r in reports.Where(r => r.Exhaustive is not null))
            {
                var x = r.Exhaustive!.Search;
                sb.AppendLine($"  {r.Variant.Label.PadRight(w0)}{x.States,10:N0} states {x.Transitions,11:N0} transitions  depth {x.DepthReached}{(x.Truncated ? " TRUNCATED (--max-states)" : "")}  {x.StatesPerSecond,9:N0}/s  {x.BytesPerState,5:F1} B/state  {x.PeakHeapBytes / (1 << 20),5} MB");
            }
        }
        foreach (var r in reports.Where(r => r.Unhandled.Count > 0))
            foreach (var u in r.Unhandled) sb.AppendLine($"{r.Variant.Label}: model finding: {u}");
        foreach (var r in reports)
        {
            foreach (var (key, cx) in r.Found)
            {
                sb.AppendLine();
                sb.AppendLine($"== {r.Variant.Label} violates {key}{(r.Variant.ExpectedViolations.Contains(key) ? " (declared)" : " (NOT DECLARED)")}; {cx.ActionCount} action(s), {(r.FoundExhaustively.Contains(key) ? "BFS-minimal" : "random, shrunk")}");
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
