using Kvmspec.Model.Exploration;
using Kvmspec.Model.X86;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Xunit;
using Xunit.Abstractions;

namespace Kvmspec.Properties.X86;

/// <summary>For every x86 variant (x86/upstream with and without the VMM's BLOCKIRQ), what exploration
/// finds equals what it declares, both ways; every x86 invariant fails somewhere with a minimal
/// counterexample, or, where no catalogued x86 variant breaks it, on a hand-written trace.</summary>
public class X86VariantDetectionTests(ITestOutputHelper output)
{
    public const int Traces = 500;
    public static readonly ulong[] Seeds = [1, 2];

    public static TheoryData<int> VariantIndexes => [.. Enumerable.Range(0, X86Variants.All.Count)];

    private static readonly Dictionary<(int, ulong), VariantReport> Cache = [];

    public static VariantReport Explore(int i, ulong seed)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue((i, seed), out var r)) Cache[(i, seed)] = r = X86Explorer.Explore(X86Variants.All[i], Traces, 24, seed);
            return r;
        }
    }

    [Theory]
    [MemberData(nameof(VariantIndexes))]
    public void Variant_FoundViolations_EqualDeclared(int i)
    {
        foreach (var seed in Seeds)
        {
            var r = Explore(i, seed);
            var problems = r.Unexpected.Select(k => $"found but not declared: {k}\n  {r.Found[k].Violation.Message}\n  program: {r.Found[k].Program}\n{LaneDiagram.Text(r.Found[k].Trace, r.Found[k].Violation.EventIndex)}")
                .Concat(r.Missing.Select(k => $"declared but not found (seed {seed}): {k}"))
                .Concat(r.Unhandled.Select(u => $"model finding: {u}")).ToList();
            output.WriteLine($"{X86Variants.All[i].Label} seed {seed}: found {string.Join(", ", r.Found.Keys)}");
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
    }

    [Theory]
    [MemberData(nameof(VariantIndexes))]
    public void Variant_DeclaresAReasonAndKnownKeyForEveryViolation(int i)
    {
        var v = X86Variants.All[i];
        Assert.NotEmpty(v.Sources);
        foreach (var key in v.ExpectedViolations)
        {
            Assert.True(v.Reasons.ContainsKey(key), $"{v.Label} declares {key} without a reason");
            var (inv, path) = (key.Split(':')[0], key.Split(':')[1]);
            Assert.True(X86Invariants.Find(inv)?.Paths.Contains(path) == true, $"{v.Label} declares unknown key {key}");
        }
        Assert.Empty(v.Reasons.Keys.Except(v.ExpectedViolations));
    }

    /// <summary>The issue's done-when, as verdicts.</summary>
    [Fact]
    public void Catalogue_ShowsTheHistory()
    {
        bool Has(X86Variant v, string key) => v.ExpectedViolations.Contains(key);
        Assert.True(Has(X86Variants.Pre663f4c61, "STEP-ONE:extra") && Has(X86Variants.V5_0, "STEP-ONE:extra"));
        Assert.False(Has(X86Variants.Upstream, "STEP-ONE:extra"));
        Assert.Contains(X86Variants.Pre94fe45da.ExpectedViolations, k => k.StartsWith("NO-LEAK:", StringComparison.Ordinal));
        Assert.True(Has(X86Variants.Upstream, "NO-LEAK:frame") && Has(X86Variants.Upstream, "PROGRESS:livelock"));
        Assert.False(Has(X86Variants.UpstreamBlockIrq, "PROGRESS:livelock") || Has(X86Variants.UpstreamBlockIrq, "IRQ-BLOCKED:injected"));
        Assert.True(Has(X86Variants.UpstreamBlockIrq, "NO-LEAK:pushf") && Has(X86Variants.UpstreamBlockIrq, "NO-LEAK:frame"));
        Assert.DoesNotContain(X86Variants.ProposalMtf.ExpectedViolations, k => k.StartsWith("NO-LEAK:", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryInvariant_FailsWithAMinimalCounterexample_OrOnAHandWrittenTrace()
    {
        foreach (var inv in X86Invariants.All)
        {
            var hit = Enumerable.Range(0, X86Variants.All.Count)
                .SelectMany(i => Explore(i, Seeds[0]).Found.Values.Where(f => f.Violation.Invariant == inv.Id).Select(f => (v: X86Variants.All[i], cx: (X86Counterexample)f)))
                .FirstOrDefault();
            if (hit.cx is null)
            {
                Assert.Contains(inv.Id, HandWritten.Keys);
                var verdict = inv.Check(HandWritten[inv.Id]);
                Assert.True(verdict.Violations.Count > 0, $"{inv.Id}: the hand-written violating trace is not caught");
                output.WriteLine($"{inv.Id}: no x86 variant violates it; caught on a hand-written trace: {verdict.Violations[0].Message}");
                continue;
            }
            var (v, cx) = hit;
            foreach (var smaller in X86Shrinker.Candidates(cx.Script))
                Assert.DoesNotContain(X86Explorer.Violations(X86Simulator.Execute(v, smaller).Trace), x => x.Key == cx.Violation.Key);
            output.WriteLine($"{inv.Id}: {v.Label} {cx.Violation.Key}, {cx.Script.Actions.Length} actions, {cx.Script.Program.Body.Length} instructions");
            Assert.True(cx.Script.Actions.Length <= 16, $"{inv.Id}: counterexample of {cx.Script.Actions.Length} actions is not small:\n{cx.Script}");
        }
    }

    private static Trace T(params TraceEvent[] e) =>
        new("x86", Trace.FullProfile, "hand-written", Kvmspec.Spec.Arm64.GuestProgram.Of(), 0x1000, [.. e], X86Simulator.InitialRflags);

    /// <summary>Traces an implementation outside the catalogue could produce, for the invariants no
    /// catalogued x86 variant breaks (their arm64 monitors are also broken by arm64 variants).</summary>
    public static readonly Dictionary<string, Trace> HandWritten = new()
    {
        // The PC advanced before the port access completed (KVM_EXIT_IO at the next instruction).
        [PcOnce.Id] = T(new Run(), new Entered(0x1000), new Exit(KvmExitReason.KVM_EXIT_IO, 0x1001, new IoPayload(0x80, 1, true, 1, 0))),
        // KVM_RUN returned (INTR) without completing the pending port access.
        [ReentryCompletes.Id] = T(new Run(), new Entered(0x1000), new Exit(KvmExitReason.KVM_EXIT_IO, 0x1000, new IoPayload(0x80, 1, false, 1, 0)),
            new Run(), new Exit(KvmExitReason.KVM_EXIT_INTR, 0x1000)),
    };
}
