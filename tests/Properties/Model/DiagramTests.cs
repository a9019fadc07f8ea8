using System.Text.RegularExpressions;
using Kvmspec.Cli;
using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Model.Machines;
using Kvmspec.Model.X86;
using Kvmspec.Properties.X86;
using Xunit;

namespace Kvmspec.Properties.Model;

/// <summary>The diagrams are well formed: every machine's Mermaid state diagram and DOT graph, and
/// every counterexample's Mermaid sequence diagram, use plain ids and labels free of the characters
/// that Mermaid reads as syntax (checked line by line against the shapes the renderers emit; the
/// real Mermaid parser is not available to <c>dotnet test</c>).</summary>
public partial class DiagramTests
{
    private static readonly string[] Participants = ["VMM", "KVM", "CPU", "Guest"];

    [GeneratedRegex(@"^    ([A-Za-z_][A-Za-z0-9_]*) --> ([A-Za-z_][A-Za-z0-9_]*): (.+)$")]
    private static partial Regex StateEdge();

    [GeneratedRegex(@"^    ""((?:[^""\\]|\\.)*)"" -> ""((?:[^""\\]|\\.)*)"" \[label=""((?:[^""\\]|\\.)*)""\];$")]
    private static partial Regex DotEdge();

    [GeneratedRegex(@"^ +(VMM|KVM|CPU|Guest)(->>|-->>)(VMM|KVM|CPU|Guest): (.+)$")]
    private static partial Regex Message();

    [GeneratedRegex(@"^ +Note over (VMM|KVM|CPU|Guest)(,(VMM|KVM|CPU|Guest))?: (.+)$")]
    private static partial Regex NoteLine();

    public static TheoryData<string> Machines => [.. Catalogue.All.Select(m => m.Name)];

    [Theory]
    [MemberData(nameof(Machines))]
    public void Graph_Mermaid_HasOneSafeEdgePerRowAndState(string name)
    {
        var m = Catalogue.Find(name)!;
        var lines = MachineGraph.Mermaid(m).TrimEnd('\n').Split('\n');
        Assert.Equal("stateDiagram-v2", lines[0]);
        Assert.Equal($"    [*] --> {m.Initial}", lines[1]);
        var edges = m.Edges().ToList();
        Assert.Equal(edges.Count, lines.Length - 2);
        foreach (var (line, (from, to, _)) in lines.Skip(2).Zip(edges))
        {
            var e = StateEdge().Match(line);
            Assert.True(e.Success, $"{name}: not a plain Mermaid edge: {line}");
            Assert.Equal((from, to), (e.Groups[1].Value, e.Groups[2].Value));
            Assert.DoesNotContain(e.Groups[1].Value, MermaidText.Reserved);
            Assert.True(MermaidText.IsSafe(e.Groups[3].Value), $"{name}: label with a Mermaid syntax character: {line}");
        }
    }

    [Theory]
    [MemberData(nameof(Machines))]
    public void Graph_Dot_QuotesEveryIdAndLabel(string name)
    {
        var m = Catalogue.Find(name)!;
        var lines = MachineGraph.Dot(m).TrimEnd('\n').Split('\n');
        Assert.Equal($"digraph {m.Name} {{", lines[0]);
        Assert.Equal("}", lines[^1]);
        Assert.Equal($"    __start [shape=point]; __start -> \"{m.Initial}\";", lines[3]);
        var edges = m.Edges().ToList();
        var body = lines[4..^1];
        Assert.Equal(edges.Count, body.Length);
        foreach (var (line, (from, to, label)) in body.Zip(edges))
        {
            var e = DotEdge().Match(line);
            Assert.True(e.Success, $"{name}: not a quoted DOT edge: {line}");
            Assert.Equal(MachineGraph.DotString(label), $"\"{e.Groups[3].Value}\"");
            Assert.Equal((from, to), (e.Groups[1].Value, e.Groups[2].Value));
        }
    }

    [Theory]
    [InlineData("NoSuchMachine")]
    [InlineData(null)]
    public void Graph_WithoutAKnownMachine_ExitsTwo_ListingTheMachines(string? machine)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        Assert.Equal(2, KvmspecCommand.Run(machine is null ? ["graph"] : ["graph", machine], o, e));
        var err = e.ToString();
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        foreach (var m in Catalogue.All) Assert.Contains(m.Name, err);
    }

    [Fact]
    public void MachineDocs_Regenerate_AddsAMissingMachine_AndIsIdempotent()
    {
        var once = MachineDocs.Regenerate("# Machines\n", Catalogue.All);
        foreach (var m in Catalogue.All)
        {
            Assert.Contains($"## {m.Name}\n\n{m.Summary}\n\n{MachineDocs.Block(m)}\n", once);
            Assert.Equal(MachineDocs.Block(m), MachineDocs.Find(once, m.Name));
        }
        Assert.Equal(once, MachineDocs.Regenerate(once, Catalogue.All));
        var stale = once.Replace(MachineDocs.Block(Catalogue.All[0]), $"{MachineDocs.Begin(Catalogue.All[0].Name)}\nold\n{MachineDocs.End}");
        Assert.Equal(once, MachineDocs.Regenerate(stale, Catalogue.All));
    }

    [Fact]
    public void DotString_EscapesQuotesBackslashesAndLineBreaks() =>
        Assert.Equal("\"a \\\"b\\\" c\\\\d\\ne\"", MachineGraph.DotString("a \"b\" c\\d\ne"));

    [Theory]
    [InlineData("x := 1; y -> {z} #DB \"q\" 'r' <br> 100% a:b", "x ← 1, y → (z) ＃DB ”q” ’r’ ‹br› 100％ a：b")]
    [InlineData("kvm_skip_instr: PC 0x1000 -> 0x1004", "kvm_skip_instr - PC 0x1000 → 0x1004")]
    public void MermaidLabel_ReplacesEverySyntaxCharacter(string text, string label)
    {
        Assert.Equal(label, MermaidText.Label(text));
        Assert.True(MermaidText.IsSafe(MermaidText.Label(text)));
    }

    [Theory]
    [InlineData("InVmm", "InVmm")]
    [InlineData("end", "s_end")]
    [InlineData("2nd state", "s_2nd_state")]
    public void MermaidId_IsPlainAndNotAKeyword(string name, string id) => Assert.Equal(id, MermaidText.Id(name));

    /// <summary>Checks that a sequence diagram has the four participants in order, only message, note,
    /// rect and title lines, and safe text everywhere; returns its lines.</summary>
    private static string[] AssertWellFormedSequence(string diagram, string arch)
    {
        var lines = diagram.TrimEnd('\n').Split('\n');
        Assert.Equal("sequenceDiagram", lines[0]);
        var participants = lines.Where(l => l.StartsWith("    participant ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["    participant VMM", "    participant KVM", arch == "x86" ? "    participant CPU" : "    participant CPU as CPU/EL2", "    participant Guest"], participants);
        int open = 0;
        foreach (var line in lines.Skip(1).Where(l => !participants.Contains(l)))
        {
            if (line.StartsWith("    title ", StringComparison.Ordinal)) Assert.True(MermaidText.IsSafe(line[10..]), line);
            else if (line == "    rect rgb(255, 221, 221)") open++;
            else if (line == "    end") open--;
            else if (Message().Match(line) is { Success: true } msg) Assert.True(MermaidText.IsSafe(msg.Groups[4].Value), line);
            else if (NoteLine().Match(line) is { Success: true } note) Assert.True(MermaidText.IsSafe(note.Groups[4].Value), line);
            else Assert.Fail($"unexpected line in a sequence diagram: '{line}'");
            Assert.InRange(open, 0, 1);
        }
        Assert.Equal(0, open);
        return lines;
    }

    [Theory]
    [InlineData("arm64/v4.2", "STEP-ONE:extra", "arm64")]
    [InlineData("arm64/v4.15", "EXIT-SYNDROME:synthetic", "arm64")]
    [InlineData("x86/pre-94fe45da", "NO-LEAK:pushf", "x86")]
    [InlineData("x86/v5.0", "STEP-ONE:extra", "x86")]
    public void Explain_Mermaid_IsASequenceDiagramWithTheViolationHighlighted(string variant, string key, string arch)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        Assert.Equal(0, KvmspecCommand.Run(["explain", variant, key, "--format", "mermaid", "--traces", "100", "--depth", "2"], o, e));
        var lines = AssertWellFormedSequence(o.ToString(), arch);
        Assert.Contains($"    title {MermaidText.Label($"{variant} violates {key}")}", lines);
        var rect = Array.IndexOf(lines, "    rect rgb(255, 221, 221)");
        Assert.True(rect > 0, "no highlighted event");
        Assert.StartsWith($"        Note over VMM,Guest: ⚠ {MermaidText.Label(key)} - ", lines[rect + 2]);
        Assert.Equal("    end", lines[rect + 3]);
        Assert.Contains(lines, l => l.StartsWith("    VMM->>KVM: KVM_RUN", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryArm64Counterexample_DrawsAWellFormedSequenceDiagram()
    {
        foreach (var v in Arm64Variants.All)
            foreach (var cx in VariantDetectionTests.Explore(v, VariantDetectionTests.Seeds[0]).Found.Values)
                AssertWellFormedSequence(LaneDiagram.Mermaid(cx.Trace, cx.Violation.EventIndex, cx.Violation.ToString()), "arm64");
    }

    [Fact]
    public void EveryX86Counterexample_DrawsAWellFormedSequenceDiagram()
    {
        for (int i = 0; i < X86Variants.All.Count; i++)
            foreach (var cx in X86VariantDetectionTests.Explore(i, X86VariantDetectionTests.Seeds[0]).Found.Values)
                AssertWellFormedSequence(LaneDiagram.Mermaid(cx.Trace, cx.Violation.EventIndex, cx.Violation.ToString()), "x86");
    }
}
