using System.Text.Json.Nodes;
using Kvmspec.Spec.Trace;
using Xunit;

namespace Kvmspec.Properties.Docs;

/// <summary>docs/trace-format.schema.json names exactly the fields the reader accepts, kind by kind,
/// so that a trace the schema validates is not rejected for its field names, and the other way round.</summary>
public class TraceSchemaTests
{
    private static readonly JsonObject Defs =
        JsonNode.Parse(File.ReadAllText(Path.Combine(DocsInStepTests.RepoRoot(), "docs", "trace-format.schema.json")))!["$defs"]!.AsObject();

    private static string[] Properties(string kind) =>
        [.. Defs[kind]!["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal)];

    [Fact]
    public void EveryEventKind_HasTheReadersFields()
    {
        foreach (var (kind, fields) in TraceReader.EventFields)
        {
            Assert.True(Defs.ContainsKey(kind), $"the schema has no branch for '{kind}'");
            Assert.Equal([.. fields.Order(StringComparer.Ordinal)], Properties(kind));
            Assert.Equal(kind, Defs[kind]!["properties"]!["kind"]!["const"]!.GetValue<string>());
        }
    }

    /// <summary>x86 traces: a kind whose x86 fields differ from arm64's has its own branch, <c>x86_</c> + kind.</summary>
    [Fact]
    public void EveryX86EventKind_HasTheReadersFields()
    {
        foreach (var (kind, fields) in TraceReader.X86EventFields)
        {
            var def = Defs.ContainsKey("x86_" + kind) ? "x86_" + kind : kind;
            Assert.True(Defs.ContainsKey(def), $"the schema has no branch for the x86 '{kind}'");
            Assert.Equal([.. fields.Order(StringComparer.Ordinal)], Properties(def));
            Assert.Equal(kind, Defs[def]!["properties"]!["kind"]!["const"]!.GetValue<string>());
        }
    }

    /// <summary>x86 <c>s_regs</c> (set_sync_regs, store_regs): each part of the schema's kvm_sync_regs has the reader's fields.</summary>
    [Fact]
    public void TheSyncRegsArea_HasTheReadersFields()
    {
        var area = Defs["kvm_sync_regs"]!;
        string[] Names(JsonNode o) => [.. o["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal)];
        foreach (var (node, fields) in new[]
        {
            (area, TraceReader.SyncRegsFields),
            (area["properties"]!["regs"]!, TraceReader.SyncRegsRegsFields),
            (area["properties"]!["sregs"]!, TraceReader.SyncRegsSregsFields),
            (area["properties"]!["events"]!, TraceReader.SyncRegsEventsFields),
            (area["properties"]!["events"]!["properties"]!["exception"]!, TraceReader.SyncRegsExceptionFields),
        })
        {
            Assert.Equal([.. fields.Order(StringComparer.Ordinal)], Names(node));
            Assert.Equal([.. fields.Order(StringComparer.Ordinal)], node["required"]!.AsArray().Select(x => (string)x!).Order(StringComparer.Ordinal));
            Assert.False((bool)node["additionalProperties"]!);
        }
        foreach (var kind in new[] { "set_sync_regs", "store_regs" })
            Assert.Equal("#/$defs/kvm_sync_regs", (string)Defs[kind]!["properties"]!["s_regs"]!["$ref"]!);
    }

    [Fact]
    public void EveryEventBranch_IsOneOfTheLinesAlternatives()
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(DocsInStepTests.RepoRoot(), "docs", "trace-format.schema.json")))!;
        var listed = root["anyOf"]!.AsArray().Select(b => ((string)b!["$ref"]!).Split('/')[^1]).ToHashSet();
        var kinds = TraceReader.EventFields.Keys.Concat(TraceReader.X86EventFields.Keys.Select(k => Defs.ContainsKey("x86_" + k) ? "x86_" + k : k)).Append("header");
        Assert.Empty(kinds.Except(listed));
    }

    [Fact]
    public void TheHeader_HasTheReadersFields() =>
        Assert.Equal([.. TraceReader.HeaderFields.Order(StringComparer.Ordinal)], Properties("header"));
}
