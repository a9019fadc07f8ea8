using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Model.Oracle;
using Kvmspec.Properties.Support;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Trace;
using Xunit;
using Xunit.Abstractions;

namespace Kvmspec.Properties.Oracle;

/// <summary>The trace format and the oracle: what the writer writes the reader reads back, every
/// model trace conforms to its own variant, and changing one observation makes the replay report
/// exactly that event.</summary>
public class OracleTests(ITestOutputHelper output)
{
    private static readonly Arbitrary<(Variant Variant, Script Script)> VariantScripts = Arb.From(
        from v in Gen.Elements(Arm64Variants.All.ToArray())
        from s in Gens.Scripts.Generator
        select (v, s));

    [Fact]
    public void WriteThenRead_GivesBackTheSameHeaderAndEvents() =>
        Props.Check(VariantScripts, x =>
        {
            var t = Simulator.Execute(x.Variant, x.Script).Trace;
            var back = TraceReader.ReadAll(new MemoryStream(TraceWriter.Bytes(t)), "mem");
            return (back.Header == t.Header && back.Events.SequenceEqual(t.Events)).Label($"{x.Variant.Id}: {t.Events.Length} events");
        }, output);

    [Fact]
    public void EveryModelTrace_ConformsToItsOwnVariant_AndTheReplayAgreesOnEveryEvent() =>
        Props.Check(VariantScripts, x =>
        {
            var t = Simulator.Execute(x.Variant, x.Script).Trace;
            var bytes = TraceWriter.Bytes(t);
            var r = Conformance.Check(() => new MemoryStream(bytes), "mem", x.Variant);
            var undeclared = r.Verdicts.SelectMany(v => v.Violations).Where(v => !r.Excused(v)).ToList();
            return (r.Divergence is null && r.ReplayNotPossible is null && (undeclared.Count == 0 || Judge.Undeclared(x.Variant, t).Any()))
                .Label($"{x.Variant.Id}: divergence {r.Divergence}; {r.ReplayNotPossible}; undeclared {string.Join("; ", undeclared)}");
        }, output, maxTest: 150);

    [Fact]
    public void ChangingOneObservation_IsReportedAtExactlyThatEvent() =>
        Props.Check(Arb.From(from x in VariantScripts.Generator from pick in Gen.Choose(0, int.MaxValue) select (x.Variant, x.Script, pick)), x =>
        {
            var t = Simulator.Execute(x.Variant, x.Script).Trace;
            var observations = t.Events.Select((e, i) => (e, i)).Where(p => Mutate(p.e) is not null).Select(p => p.i).ToList();
            if (observations.Count == 0) return true.ToProperty();
            int at = observations[x.pick % observations.Count];
            var changed = t with { Events = t.Events.SetItem(at, Mutate(t.Events[at])!) };
            var bytes = TraceWriter.Bytes(changed);
            var r = Conformance.Check(() => new MemoryStream(bytes), "mem", x.Variant);
            return (r.Divergence?.EventIndex == at).Label($"{x.Variant.Id}: changed event {at} ({t.Events[at]} -> {changed.Events[at]}), divergence {r.Divergence}");
        }, output, maxTest: 150);

    /// <summary>One observation with one field changed the way a buggy implementation might.</summary>
    private static TraceEvent? Mutate(TraceEvent e) => e switch
    {
        Retired r => r with { NextPc = r.NextPc + 4 },
        Exit x when x.Pc is { } pc => x with { Pc = pc + 4 },
        ExceptionTaken x => x with { Spsr = x.Spsr with { SS = !x.Spsr.SS } },
        GuestRegRead g => g with { Value = g.Value ^ 1 },
        GetOneReg g => g with { Value = g.Value ^ 0x200 },
        Entered en => en with { Pc = en.Pc + 4 },
        _ => null,
    };

    [Fact]
    public void ACrossReleaseTrace_IsReplayedFromItsSource()
    {
        // Corpus entries with a migration from the previous release start on v5.13 (MigrationSource).
        var v = Arm64Variants.Upstream;
        var entry = Corpus.All.First(c => c.Script.Actions.OfType<MigrateAction>().Any(m => m.FromOlder));
        var t = Simulator.Execute(v, entry.Script).Trace;
        var bytes = TraceWriter.Bytes(t);
        var r = Conformance.Check(() => new MemoryStream(bytes), "mem", v);
        Assert.Null(r.Divergence);
        Assert.NotNull(r.SourcePartEnds);
    }

    [Fact]
    public void TheVerdictsOfAStreamedTrace_AreThoseOfTheTraceInMemory()
    {
        // Judge.All judges the in-memory trace; Conformance reads it back from its bytes.
        foreach (var c in Corpus.All)
        {
            var t = Simulator.Execute(Arm64Variants.V5_0, c.Script).Trace;
            var bytes = TraceWriter.Bytes(t);
            var streamed = Conformance.Check(() => new MemoryStream(bytes), "mem", null).Verdicts;
            Assert.Equal(Judge.All(t).Select(v => (v.Invariant, v.Kind, v.Violations.Count)), streamed.Select(v => (v.Invariant, v.Kind, v.Violations.Count)));
        }
    }

    // ---- the step-log profile ----

    /// <summary>A debugger's log of host steps over [nop; ldr x0, [mmio] (emulated by the VMM); nop; svc]
    /// on a KVM with the 2017 bug: the step over the emulated load also runs the next instruction.
    /// The last step enters the SVC vector with the host's step bit in the guest's frame.</summary>
    public const string StepLogWithEmulatedLoad = """
        {"v":1,"kind":"header","arch":"arm64","profile":"step-log","producer":"hand-written: gdb stepi over QEMU","initial_pc":"0x1000","guest_self_debug":false}
        {"kind":"step","pc":"0x1000","next_pc":"0x1004","len":4,"insn":"add x1, x1, #1","flags":"0x3c5"}
        {"kind":"step","pc":"0x1004","next_pc":"0x100c","len":4,"insn":"ldr x0, [x2]"}
        {"kind":"step","pc":"0x100c","next_pc":"0x1010","len":4,"insn":"add x1, x1, #1"}
        {"kind":"step","pc":"0x1010","next_pc":"0x8200","len":4,"insn":"svc #0","exception":{"vector":"0x8200","saved_step":true}}
        {"kind":"step","pc":"0x8200","next_pc":"0x9004","len":4,"insn":"b 0x9000"}
        {"v":1,"kind":"end","events":5}
        """;

    [Fact]
    public void AStepLog_FindsTheDoubleStepAndTheLeakedFrame_AndSaysWhatItCannotDecide()
    {
        var t = TraceReader.ReadAll(new MemoryStream(Encoding.UTF8.GetBytes(StepLogWithEmulatedLoad)), "steplog.jsonl");
        var verdicts = TraceChecker.Check(t, Arm64Invariants.All).ToDictionary(v => v.Invariant);
        Assert.Equal(VerdictKind.Violated, verdicts[StepOne.Id].Kind);
        // The step over the emulated load (event 1) ran two instructions; so did the step over the
        // branch (event 4), which ended one instruction past the target the log names.
        Assert.Equal([(1, "extra"), (4, "extra")], verdicts[StepOne.Id].Violations.Select(v => (v.EventIndex, v.Path)));
        Assert.Equal([(3, "frame")], verdicts[NoLeak.Id].Violations.Select(v => (v.EventIndex, v.Path)));
        foreach (var v in verdicts.Values.Where(v => v.Invariant is not (StepOne.Id or NoLeak.Id)))
            Assert.True(v.Kind == VerdictKind.NotCheckable && v.Reason!.StartsWith("the step-log profile", StringComparison.Ordinal), $"{v.Invariant}: {v.Kind} {v.Reason}");
    }

    [Fact]
    public void ACleanStepLog_HoldsOnlyWhereItCanDecide()
    {
        const string log = """
            {"v":1,"kind":"header","arch":"arm64","profile":"step-log","producer":"hand-written","initial_pc":4096,"guest_self_debug":false}
            {"kind":"step","pc":4096,"next_pc":4100,"len":4,"insn":"Nop","flags":965}
            {"kind":"step","pc":4100,"next_pc":4108,"len":4,"insn":"cbz x0, 0x100c"}
            {"kind":"step","pc":4108,"next_pc":33280,"len":4,"insn":"Svc","exception":{"vector":33280,"saved_step":false}}
            """;
        var verdicts = TraceChecker.Check(TraceReader.ReadAll(new MemoryStream(Encoding.UTF8.GetBytes(log)), "clean.jsonl"), Arm64Invariants.All).ToDictionary(v => v.Invariant);
        Assert.Equal(VerdictKind.Holds, verdicts[StepOne.Id].Kind);
        // NO-LEAK has nothing to report on frames and flags, but its sysreg path needs guest reads.
        Assert.Equal(VerdictKind.NotCheckable, verdicts[NoLeak.Id].Kind);
        Assert.Contains("no leak in 1 recorded frames and 1 flag readings", verdicts[NoLeak.Id].Reason);
    }

    [Fact]
    public void AStepLogWithAnUnknownBranchTarget_IsNotCheckable_NeverHolds()
    {
        const string log = """
            {"v":1,"kind":"header","arch":"arm64","profile":"step-log","producer":"hand-written","initial_pc":4096}
            {"kind":"step","pc":4096,"next_pc":8192,"len":4,"insn":"br x3"}
            """;
        var verdicts = TraceChecker.Check(TraceReader.ReadAll(new MemoryStream(Encoding.UTF8.GetBytes(log)), "br.jsonl"), Arm64Invariants.All).ToDictionary(v => v.Invariant);
        Assert.Equal(VerdictKind.NotCheckable, verdicts[StepOne.Id].Kind);
        Assert.Contains("1 of 1 steps are control flow without a known target", verdicts[StepOne.Id].Reason);
        // Without guest_self_debug: false a step bit may be the guest's own.
        Assert.Equal(VerdictKind.NotCheckable, verdicts[NoLeak.Id].Kind);
    }

    [Fact]
    public void AStepLog_CannotBeReplayed_AndConformSaysWhy()
    {
        var bytes = Encoding.UTF8.GetBytes(StepLogWithEmulatedLoad);
        var r = Conformance.Check(() => new MemoryStream(bytes), "steplog.jsonl", Arm64Variants.Upstream);
        Assert.Equal("the step-log profile records no inputs to replay", r.ReplayNotPossible);
        Assert.False(r.Conforms);
    }
}
