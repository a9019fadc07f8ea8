using System.Text.Json;
using System.Text.Json.Nodes;
using Kvmspec.Model.Oracle;
using Kvmspec.Spec.Invariants;

namespace Kvmspec.Cli;

/// <summary><c>kvmspec conform</c>: the oracle's report, as text or json.</summary>
public static class ConformCommand
{
    public static int Run(TextWriter o, string file, Model.Arm64.Variant? variant, string format)
    {
        var r = Conformance.Check(() => new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan), file, variant);
        if (format == "json") o.WriteLine(Json(r).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        else o.Write(Text(r));
        return r.Conforms ? 0 : 1;
    }

    public static string Text(ConformReport r)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"{r.File}: {r.Header.Arch}, profile {r.Header.Profile}, producer \"{r.Header.Producer}\", {r.Events} events");
        int width = r.Verdicts.Max(v => v.Invariant.Length);
        foreach (var v in r.Verdicts)
        {
            string head = $"  {v.Invariant.PadRight(width)}  ";
            switch (v.Kind)
            {
                case VerdictKind.Holds: sb.AppendLine(head + "holds"); break;
                case VerdictKind.NotCheckable: sb.AppendLine(head + $"not checkable: {v.Reason}"); break;
                default:
                    sb.AppendLine(head + $"VIOLATED ({v.Total} violation{(v.Total == 1 ? "" : "s")})");
                    foreach (var x in v.Violations.GroupBy(x => x.Path).Select(g => g.First()))
                        sb.AppendLine($"      {x.Path}: event {x.EventIndex} (line {x.EventIndex + 2}): {x.Message}{Excuse(r, x)}");
                    break;
            }
        }
        if (r.Variant is { } var)
        {
            if (r.ReplayNotPossible is { } why) sb.AppendLine($"replay against {var.Id}: not possible: {why}");
            else if (r.Divergence is { } d)
            {
                sb.AppendLine($"replay against {var.Id}: DIVERGES at event {d.EventIndex} (line {d.Line})");
                sb.AppendLine($"    expected: {d.Expected}");
                sb.AppendLine($"    observed: {d.Observed}");
            }
            else sb.AppendLine($"replay against {var.Id}: agrees on all {r.Events} events");
        }
        sb.AppendLine(r.Conforms ? "verdict: conforms" : r.Divergence is not null && !r.HasFailingViolation ? "verdict: diverges" : r.Divergence is not null ? "verdict: violates and diverges" : "verdict: violates");
        return sb.ToString();
    }

    private static string Excuse(ConformReport r, Violation x) =>
        !r.Excused(x) ? "" : r.Variant!.ExpectedViolations.Contains(x.Key) ? $" [declared by {r.Variant.Id}]" : " [on the migration source: not the variant's]";

    public static JsonObject Json(ConformReport r) => new()
    {
        ["file"] = r.File,
        ["arch"] = r.Header.Arch,
        ["profile"] = r.Header.Profile,
        ["producer"] = r.Header.Producer,
        ["events"] = r.Events,
        ["verdicts"] = new JsonArray(r.Verdicts.Select(v => (JsonNode)new JsonObject
        {
            ["invariant"] = v.Invariant,
            ["verdict"] = v.Kind switch { VerdictKind.Holds => "holds", VerdictKind.Violated => "violated", _ => "not-checkable" },
            ["reason"] = v.Reason,
            ["total"] = v.Total,
            ["violations"] = new JsonArray(v.Violations.Select(x => (JsonNode)new JsonObject
            {
                ["path"] = x.Path,
                ["event"] = x.EventIndex,
                ["line"] = x.EventIndex + 2,
                ["message"] = x.Message,
                ["excused"] = r.Excused(x),
            }).ToArray()),
        }).ToArray()),
        ["replay"] = r.Variant is null ? null : new JsonObject
        {
            ["variant"] = r.Variant.Id,
            ["status"] = r.ReplayNotPossible is not null ? "not-possible" : r.Divergence is not null ? "diverges" : "agrees",
            ["reason"] = r.ReplayNotPossible,
            ["divergence"] = r.Divergence is { } d ? new JsonObject { ["event"] = d.EventIndex, ["line"] = d.Line, ["expected"] = d.Expected, ["observed"] = d.Observed } : null,
        },
        ["conforms"] = r.Conforms,
    };
}
