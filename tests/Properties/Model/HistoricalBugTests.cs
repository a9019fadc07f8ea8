using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Xunit;
using Xunit.Abstractions;
using A = Kvmspec.Model.Exploration.Action;

namespace Kvmspec.Properties.Model;

/// <summary>Each historical arm64 bug, pinned as a named script: the buggy variant shows it with
/// the expected invariant, and the release that fixed it does not.</summary>
public class HistoricalBugTests(ITestOutputHelper output)
{
    private static readonly A Step = A.Of(new SetGuestDebug(KvmGuestDebug.KVM_GUESTDBG_ENABLE | KvmGuestDebug.KVM_GUESTDBG_SINGLESTEP));
    private static readonly A RunIt = A.Of(new Run());
    private static Instruction I(InstructionKind k) => new(k);

    /// <summary>The releases whose kvm_arm_setup_debug() forces PSTATE.SS=1 before every entry, after v5.0's fixes.</summary>
    private static readonly Variant[] ForcedSsReleases = [Arm64Variants.V5_0, Arm64Variants.V5_5, Arm64Variants.V5_11, Arm64Variants.V5_13];

    private List<string> Keys(Variant v, Script s)
    {
        var r = Simulator.Execute(v, s);
        Assert.Null(r.Unhandled);
        var keys = Judge.Violations(r.Trace).Select(x => x.Key).Distinct().ToList();
        output.WriteLine($"{v.Id}: {string.Join(", ", keys)}");
        output.WriteLine(LaneDiagram.Text(r.Trace));
        return keys;
    }

    [Fact]
    public void V4_2_StepsTwoInstructions_AfterAnEmulatedInstruction()
    {
        // 2017 thread, "SS did 2 insns": kvm_skip_instr() moves only the PC, the next entry forces SS=1.
        var s = new Script(GuestProgram.Of(I(InstructionKind.MsrDbgbvr), I(InstructionKind.Nop)), [Step, RunIt]);
        Assert.Contains("STEP-ONE:extra", Keys(Arm64Variants.V4_2, s));
        Assert.DoesNotContain("STEP-ONE:extra", Keys(Arm64Variants.V4_15, s));
        Assert.DoesNotContain("STEP-ONE:extra", Keys(Arm64Variants.Upstream, s));
    }

    [Fact]
    public void V4_15_ReportsAFakeStep_AfterAStage2FaultThatRetiredNothing_WithASyntheticSyndrome()
    {
        var s = new Script(GuestProgram.Of(new Instruction(InstructionKind.LoadRam, Stage2Fault: true)), [Step, RunIt]);
        var keys = Keys(Arm64Variants.V4_15, s);
        Assert.Contains("STEP-ONE:none", keys);
        Assert.Contains("EXIT-SYNDROME:synthetic", keys);
        Assert.DoesNotContain(Keys(Arm64Variants.V5_0, s), k => k.StartsWith("STEP-ONE") || k.StartsWith("EXIT-SYNDROME"));
    }

    [Fact]
    public void V4_15_AdvancesThePc_BeforeTheMmioAccessCouldFail()
    {
        var s = new Script(GuestProgram.Of(I(InstructionKind.MmioLoadUser)), [RunIt, A.Of(new GetOneReg(OneReg.PC, 0))]);
        Assert.Contains("PC-ONCE:early", Keys(Arm64Variants.V4_15, s));
        Assert.DoesNotContain("PC-ONCE:early", Keys(Arm64Variants.V5_0, s));
    }

    [Fact]
    public void V5_11_ShowsUserspaceAHiddenDeferredPcIncrement()
    {
        // 26778aaa134a: a trapped instruction emulated, then a signal before re-entry.
        var s = new Script(GuestProgram.Of(I(InstructionKind.MrsDbgbvr), I(InstructionKind.Nop)),
            [RunIt, A.Tick, A.Tick, A.Tick, A.Of(new SignalPending()), A.Of(new GetOneReg(OneReg.PC, 0))]);
        Assert.Contains("EXIT-CONSISTENT:pc", Keys(Arm64Variants.V5_11, s));
        Assert.DoesNotContain("EXIT-CONSISTENT:pc", Keys(Arm64Variants.V5_13, s));
    }

    [Fact]
    public void V5_0ToV5_13_RunAnExtraInstruction_AfterAnExitTakenWhileActivePending()
    {
        // A host IRQ after the instruction completed, before the step exception (v6.1 cover letter).
        var s = Corpus.All.Single(e => e.Name == "host-irq-active-pending").Script;
        foreach (var v in ForcedSsReleases)
            Assert.Contains("STEP-ONE:extra", Keys(v, s));
        Assert.DoesNotContain("STEP-ONE:extra", Keys(Arm64Variants.V6_1, s));
        Assert.DoesNotContain("STEP-ONE:extra", Keys(Arm64Variants.Upstream, s));
    }

    [Fact]
    public void V5_0ToV5_13_ClobberTheGuestsPstateSS_SeenByUserspace()
    {
        var s = new Script(GuestProgram.Of(I(InstructionKind.MmioLoadUser), I(InstructionKind.Nop)),
            [Step, RunIt, A.Of(new GetOneReg(OneReg.PSTATE, 0))]);
        foreach (var v in ForcedSsReleases)
            Assert.Contains("NO-LEAK:userspace", Keys(v, s));
        Assert.DoesNotContain("NO-LEAK:userspace", Keys(Arm64Variants.V6_1, s));
        Assert.DoesNotContain("NO-LEAK:userspace", Keys(Arm64Variants.Upstream, s));
    }

    [Fact]
    public void V6_12_RetiresAnAbortedMmio_V6_13FixIsInUpstream()
    {
        var s = Corpus.All.Single(e => e.Name == "mmio-abort").Script;
        Assert.Contains("PC-ONCE:aborted", Keys(Arm64Variants.V6_12, s));
        Assert.Contains("PC-ONCE:aborted", Keys(Arm64Variants.V5_5, s));
        Assert.Empty(Keys(Arm64Variants.Upstream, s));
    }

    [Fact]
    public void V5_0_CompletesAnMmioTwice_AfterImmediateExit()
    {
        var s = Corpus.All.Single(e => e.Name == "mmio-immediate-exit").Script;
        Assert.Contains("REENTRY-COMPLETES:twice", Keys(Arm64Variants.V5_0, s));
        Assert.DoesNotContain("REENTRY-COMPLETES:twice", Keys(Arm64Variants.V5_5, s));
    }

    [Fact]
    public void ProposalSyntheticExit_ReportsTheTrapsOwnSyndrome()
    {
        var s = new Script(GuestProgram.Of(I(InstructionKind.MsrDbgbvr), I(InstructionKind.Nop)), [Step, RunIt]);
        Assert.Contains("EXIT-SYNDROME:ec", Keys(Arm64Variants.ProposalSyntheticExit, s));
        Assert.DoesNotContain("EXIT-SYNDROME:ec", Keys(Arm64Variants.V4_15, s));
    }

    [Fact]
    public void ProposalInstSkipFlag_StaleFlagStopsTheFirstStepBeforeAnyInstruction()
    {
        // The flag is set by every kvm_skip_instr() and cleared only while the host debugs.
        var s = new Script(GuestProgram.Of(I(InstructionKind.MsrDbgbvr), I(InstructionKind.Nop)),
            [RunIt, A.Ticks(3), A.Of(new SignalPending()), Step, RunIt]);
        Assert.Contains("STEP-ONE:none", Keys(Arm64Variants.ProposalInstSkipFlag, s));
    }

    [Fact]
    public void Upstream_IsCleanOnTheCorpus_ApartFromDeclaredDeviations()
    {
        foreach (var e in Corpus.All)
        {
            var keys = Keys(Arm64Variants.Upstream, e.Script);
            Assert.True(keys.All(Arm64Variants.Upstream.ExpectedViolations.Contains), $"{e.Name}: {string.Join(", ", keys)}");
        }
    }
}
