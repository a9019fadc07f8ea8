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

    [Fact]
    public void TheHeader_HasTheReadersFields() =>
        Assert.Equal([.. TraceReader.HeaderFields.Order(StringComparer.Ordinal)], Properties("header"));
}
