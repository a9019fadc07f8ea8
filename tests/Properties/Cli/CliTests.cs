using System.Text.Json.Nodes;
using Kvmspec.Cli;
using Kvmspec.Model.Arm64;
using Xunit;

namespace Kvmspec.Properties.Cli;

/// <summary>The kvmspec command line: exit codes, one-line errors for bad input, the json shape.</summary>
public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = KvmspecCommand.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Check_ExitsZero_AndShowsEveryVariantAsDeclared()
    {
        var (code, o, _) = Run("check", "--arch", "arm64", "--traces", "200", "--depth", "2");
        Assert.Equal(0, code);
        foreach (var v in Arm64Variants.All) Assert.Contains(v.Id, o);
        Assert.Contains("exhaustive: every program of 1..1 instruction(s), every action sequence up to 2", o);
        Assert.Contains("BFS-minimal", o);
        Assert.Contains("every variant's violations are as declared", o);
        Assert.DoesNotContain("MISMATCH", o);
    }

    [Fact]
    public void Check_Json_HasTheDocumentedShape()
    {
        var (code, o, _) = Run("check", "--format", "json", "--traces", "100", "--depth", "2", "--variant", "arm64/v4.15");
        Assert.Equal(0, code);
        var root = JsonNode.Parse(o)!;
        var v = root["variants"]![0]!;
        Assert.Equal("arm64/v4.15", (string)v["id"]!);
        Assert.Equal("release", (string)v["kind"]!);
        Assert.NotEmpty(v["sources"]!.AsArray());
        Assert.Contains("EXIT-SYNDROME:synthetic", v["declared"]!.AsArray().Select(x => (string)x!));
        var found = v["found"]!.AsArray();
        Assert.Contains(found, f => (string)f!["invariant"]! == "EXIT-SYNDROME" && (string)f["path"]! == "synthetic" && f["trace"]!.AsArray().Count > 0);
        Assert.Equal(1, (int)root["stats"]!["traces_per_variant"]! / 100);
        var stats = v["stats"]!;
        Assert.True((long)stats["states"]! > 0 && (long)stats["transitions"]! >= (long)stats["states"]! - (int)stats["programs"]!);
        Assert.False((bool)stats["truncated"]!);
        Assert.InRange((double)stats["bytes_per_stored_state"]!, 1, 64);
        Assert.Contains("EXIT-SYNDROME:synthetic", stats["bfs_minimal"]!.AsArray().Select(x => (string)x!));
    }

    [Fact]
    public void Check_ReportsTheStateCap_WhenItStopsTheSearch()
    {
        var (_, o, _) = Run("check", "--variant", "arm64/upstream", "--max-states", "50", "--traces", "1");
        Assert.Contains("TRUNCATED (--max-states)", o);
        var (_, j, _) = Run("check", "--variant", "arm64/upstream", "--max-states", "50", "--traces", "1", "--format", "json");
        Assert.True((bool)JsonNode.Parse(j)!["variants"]![0]!["stats"]!["truncated"]!);
    }

    [Fact]
    public void Explain_DrawsALaneDiagram_AndMermaid()
    {
        var (code, o, _) = Run("explain", "arm64/v4.2", "STEP-ONE", "--traces", "100", "--depth", "2");
        Assert.Equal(0, code);
        Assert.Contains("VMM", o);
        Assert.Contains("CPU/EL2", o);
        Assert.Contains(">>", o);
        var (code2, m, _) = Run("explain", "arm64/v4.2", "STEP-ONE:extra", "--format", "mermaid", "--traces", "100", "--depth", "2");
        Assert.Equal(0, code2);
        Assert.StartsWith("sequenceDiagram", m);
        Assert.Contains("participant CPU as CPU/EL2", m);
    }

    [Theory]
    [InlineData("check", "--variant", "arm64/v9.9")]
    [InlineData("check", "--arch", "sparc")]
    [InlineData("check", "--traces", "-3")]
    [InlineData("check", "--depth", "zero")]
    [InlineData("check", "--format", "yaml")]
    [InlineData("explain", "arm64/upstream", "NO-SUCH")]
    [InlineData("explain", "arm64/upstream", "STEP-ONE:sideways")]
    [InlineData("explain", "nope", "STEP-ONE")]
    [InlineData("graph", "NoMachine")]
    [InlineData("frobnicate")]
    [InlineData]
    public void BadInput_GetsOneLineErrorAndExitTwo(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("kvmspec: ", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void Check_X86_ExitsZero_EveryVariantAsDeclared()
    {
        var (code, output, _) = Run("check", "--arch", "x86", "--depth", "2");
        Assert.Equal(0, code);
        Assert.Contains("x86/upstream +BLOCKIRQ", output);
        Assert.Contains("every variant's violations are as declared", output);
    }

    [Fact]
    public void Check_UnknownArch_IsBadInput()
    {
        var (code, _, err) = Run("check", "--arch", "mips");
        Assert.Equal(2, code);
        Assert.Contains("--arch", err);
    }

    [Fact]
    public void Graph_PrintsMermaidAndDot()
    {
        Assert.StartsWith("stateDiagram-v2", Run("graph", "RunProtocol").Out);
        Assert.StartsWith("digraph GuestDebug", Run("graph", "GuestDebug", "--format", "dot").Out);
        Assert.StartsWith("stateDiagram-v2", Run("graph", "OsLock").Out);
        Assert.Contains("Unlocked --> Locked", Run("graph", "OsLock").Out);
        Assert.StartsWith("digraph OsLock", Run("graph", "OsLock", "--format", "dot").Out);
    }

    [Fact]
    public void VariantsAndInvariants_ListTheCatalogues()
    {
        var (c1, v, _) = Run("variants");
        var (c2, i, _) = Run("invariants");
        Assert.Equal(0, c1 + c2);
        Assert.Contains("arm64/proposal-inst-skip-flag", v);
        Assert.Contains("REENTRY-COMPLETES", i);
    }
}
