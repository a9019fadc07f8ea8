using System.Text.Json;
using System.Text.Json.Nodes;
using Kvmspec.Model.Arm64;
using Kvmspec.Model.Scenarios;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Cli;

/// <summary><c>kvmspec run</c> and <c>kvmspec record</c>: scenario files through the model.</summary>
public static class ScenarioCommands
{
    /// <summary>Runs the scenario against <paramref name="variant"/> or, without one, each of its variants.</summary>
    public static int Run(TextWriter o, string file, Variant? variant, string format)
    {
        var s = ScenarioReader.ReadFile(file);
        var results = (variant is null ? s.Variants.Select(id => Arm64Variants.Find(id)!) : [variant]).Select(v => ScenarioRunner.Run(s, v)).ToList();
        if (format == "json")
            o.WriteLine(new JsonObject
            {
                ["scenario"] = s.Id,
                ["file"] = file,
                ["runs"] = new JsonArray(results.Select(r => (JsonNode)Json(r)).ToArray()),
                ["passed"] = results.All(r => r.Passed),
            }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        else
            foreach (var r in results) o.Write(Text(r));
        return results.All(r => r.Passed) ? 0 : 1;
    }

    public static string Text(ScenarioResult r)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"{r.Scenario.Id} against {r.Variant.Id}{(r.Scenario.Source is { } src ? $" ({src})" : "")}");
        sb.AppendLine($"  program: {r.Scenario.Program}");
        for (int i = 0; i < r.Trace.Events.Length; i++)
        {
            var e = r.Trace.Events[i];
            if (e.Role != EventRole.Internal) sb.AppendLine($"  {i,4}  {e.Lane.ToString().ToLowerInvariant(),-5}  {e.Describe()}");
        }
        foreach (var (e, failure) in r.Checks)
            sb.AppendLine($"  expect {e.Describe()}: {(failure is null ? "ok" : "FAILED: " + failure)}");
        foreach (var v in r.Verdicts.Where(v => v.Kind == VerdictKind.Violated))
            foreach (var x in v.Violations.GroupBy(x => x.Path).Select(g => g.First()))
                sb.AppendLine($"  {x.Key} at event {x.EventIndex}: {x.Message}{(r.Undeclared.Contains(x) ? " (NOT DECLARED)" : " (declared or expected)")}");
        if (r.Unhandled is { } u) sb.AppendLine($"  the model could not handle an input: {u}");
        sb.AppendLine(r.Passed ? "  PASS" : "  FAIL");
        return sb.ToString();
    }

    private static JsonObject Json(ScenarioResult r) => new()
    {
        ["variant"] = r.Variant.Id,
        ["passed"] = r.Passed,
        ["expect"] = new JsonArray(r.Checks.Select(c => (JsonNode)new JsonObject
        {
            ["line"] = c.Expectation.Line,
            ["expect"] = c.Expectation.Describe(),
            ["ok"] = c.Failure is null,
            ["failure"] = c.Failure,
        }).ToArray()),
        ["violations"] = new JsonArray(r.Verdicts.SelectMany(v => v.Violations).Select(x => (JsonNode)new JsonObject
        {
            ["key"] = x.Key,
            ["event"] = x.EventIndex,
            ["message"] = x.Message,
            ["declared"] = !r.Undeclared.Contains(x),
        }).ToArray()),
        ["unhandled"] = r.Unhandled,
        ["trace"] = new JsonArray(r.Trace.Events.Where(e => e.Role != EventRole.Internal).Select(e => (JsonNode)TraceJson.Event(e)).ToArray()),
    };

    /// <summary>Writes the model's trace of the scenario on <paramref name="variant"/> (default: its first variant).</summary>
    public static int Record(TextWriter stdout, string file, Variant? variant, string? output)
    {
        var s = ScenarioReader.ReadFile(file);
        var v = variant ?? Arm64Variants.Find(s.Variants[0])!;
        var r = ScenarioRunner.Run(s, v);
        if (output is null)
            stdout.Write(System.Text.Encoding.UTF8.GetString(TraceWriter.Bytes(r.Trace)));
        else
        {
            using var f = new FileStream(output, FileMode.Create, FileAccess.Write);
            TraceWriter.WriteAll(f, r.Trace);
        }
        return 0;
    }
}
