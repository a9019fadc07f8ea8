using System.Collections.Immutable;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Xunit;

namespace Kvmspec.Properties.Invariants;

/// <summary>The checks on hand-written traces, independent of the model: each invariant holds on
/// a conforming trace and fails, along the right path, on a minimal wrong one.</summary>
public class InvariantCheckTests
{
    private static readonly GuestProgram P = GuestProgram.Of(new Instruction(InstructionKind.Nop), new Instruction(InstructionKind.MmioLoadUser), new Instruction(InstructionKind.Nop));
    private const ulong Base = GuestProgram.Base;
    private static readonly SetGuestDebug Step = new(KvmGuestDebug.KVM_GUESTDBG_ENABLE | KvmGuestDebug.KVM_GUESTDBG_SINGLESTEP);
    private static Exit StepExit(ulong pc, bool isv = true) =>
        new(KvmExitReason.KVM_EXIT_DEBUG, pc, new DebugPayload(new kvm_debug_exit_arch((uint)ESR_ELx.SoftwareStep(true, isv, false).Encode(), 0, 0), 1));
    private static Retired Hw(ulong pc) => new(pc, pc + 4, RetiredBy.Hardware, "add");
    private static Trace T(params TraceEvent[] e) => new("arm64", "full", "hand-written", P, Base, [.. e]);
    private static IEnumerable<string> Keys(Invariant i, Trace t) => i.Check(t).Violations.Select(v => v.Key);

    [Fact]
    public void StepOne_HoldsForOneInstructionPerStep() =>
        Assert.Empty(Keys(Arm64Invariants.StepOneInvariant, T(Step, new Run(), Hw(Base), StepExit(Base + 4), new Run(), Hw(Base + 4), StepExit(Base + 8))));

    [Fact]
    public void StepOne_FailsOnTwoInstructionsAndOnNone()
    {
        Assert.Equal(["STEP-ONE:extra"], Keys(Arm64Invariants.StepOneInvariant, T(Step, new Run(), Hw(Base), Hw(Base + 4), StepExit(Base + 8))));
        Assert.Equal(["STEP-ONE:none"], Keys(Arm64Invariants.StepOneInvariant, T(Step, new Run(), StepExit(Base, isv: false))));
    }

    [Fact]
    public void StepOne_AllowsNoneAtAVector_ButNotPastIt()
    {
        var irq = new ExceptionTaken(GuestProgram.Vbar + 0x280, null, Base, new PSTATE(true, false, false, false, ExceptionLevel.EL1));
        Assert.Empty(Keys(Arm64Invariants.StepOneInvariant, T(Step, new Run(), irq, StepExit(GuestProgram.Vbar + 0x280, false))));
        Assert.Equal(["STEP-ONE:past-vector"], Keys(Arm64Invariants.StepOneInvariant, T(Step, new Run(), irq, Hw(GuestProgram.Vbar + 0x280), StepExit(GuestProgram.Vbar + 0x284))));
    }

    [Fact]
    public void StepOne_IsNotCheckable_OnAProfileWithoutRetirements() =>
        Assert.Equal(VerdictKind.NotCheckable, Arm64Invariants.StepOneInvariant.Check(T(Step, new Run(), StepExit(Base + 4)) with { Profile = "exits-only" }).Kind);

    [Fact]
    public void ExitSyndrome_FailsOnTheV4_15SyntheticHsr()
    {
        var fake = new Exit(KvmExitReason.KVM_EXIT_DEBUG, Base + 4, new DebugPayload(new kvm_debug_exit_arch(0xC8000000, 0, 0), 0));
        Assert.Equal(["EXIT-SYNDROME:synthetic"], Keys(Arm64Invariants.ExitSyndromeInvariant, T(Step, new Run(), Hw(Base), fake)));
        Assert.Empty(Keys(Arm64Invariants.ExitSyndromeInvariant, T(Step, new Run(), Hw(Base), StepExit(Base + 4))));
        Assert.Equal(["EXIT-SYNDROME:isv"], Keys(Arm64Invariants.ExitSyndromeInvariant, T(Step, new Run(), StepExit(Base, isv: true))));
    }

    [Fact]
    public void NoLeak_FailsWhenUserspaceSeesSS_UnlessUserspaceWroteIt()
    {
        var ss = new PSTATE(true, false, false, false, ExceptionLevel.EL1).Encode();
        Assert.Equal(["NO-LEAK:userspace"], Keys(Arm64Invariants.NoLeakInvariant, T(Step, new Run(), Hw(Base), StepExit(Base + 4), new GetOneReg(OneReg.PSTATE, ss))));
        Assert.Empty(Keys(Arm64Invariants.NoLeakInvariant, T(new SetOneReg(OneReg.PSTATE, ss), new GetOneReg(OneReg.PSTATE, ss))));
        Assert.Equal(["NO-LEAK:sysreg"], Keys(Arm64Invariants.NoLeakInvariant, T(new GuestRegRead(SysReg.MDSCR_EL1, 1))));
    }

    [Fact]
    public void PcOnce_FailsWhenThePcMovesBeforeTheMmioCompletes_AndWhenAnAbortedAccessRetires()
    {
        var mmio = new Exit(KvmExitReason.KVM_EXIT_MMIO, Base + 8, new MmioPayload(GuestProgram.MmioAddr, 8, false, 0));
        Assert.Equal(["PC-ONCE:early"], Keys(Arm64Invariants.PcOnceInvariant, T(new Run(), Hw(Base), mmio)));
        var fine = new Exit(KvmExitReason.KVM_EXIT_MMIO, Base + 4, new MmioPayload(GuestProgram.MmioAddr, 8, false, 0));
        var completion = new Retired(Base + 4, Base + 8, RetiredBy.Kvm, "ldr", Completion: true, Data: 1);
        Assert.Empty(Keys(Arm64Invariants.PcOnceInvariant, T(new Run(), Hw(Base), fine, new CompleteMmio(1), new Run(), completion)));
        Assert.Equal(["PC-ONCE:aborted"], Keys(Arm64Invariants.PcOnceInvariant, T(new Run(), Hw(Base), fine, new SetVcpuEvents(true), new Run(), completion)));
        Assert.Empty(Keys(Arm64Invariants.PcOnceInvariant, T(new Run(), Hw(Base), fine, new SetVcpuEvents(true, Errno.EINVAL), new Run(), completion)));
    }

    [Fact]
    public void ReentryCompletes_FailsOnImmediateExitBeforeCompletion_AndOnADoubleCompletion()
    {
        var mmio = new Exit(KvmExitReason.KVM_EXIT_MMIO, Base + 4, new MmioPayload(GuestProgram.MmioAddr, 8, false, 0));
        var completion = new Retired(Base + 4, Base + 8, RetiredBy.Kvm, "ldr", Completion: true);
        Assert.Equal(["REENTRY-COMPLETES:late"], Keys(Arm64Invariants.ReentryCompletesInvariant, T(new Run(), Hw(Base), mmio, new Run(true), new RunFailed(Errno.EINTR, Base + 4))));
        Assert.Equal(["REENTRY-COMPLETES:twice"], Keys(Arm64Invariants.ReentryCompletesInvariant, T(new Run(), Hw(Base), mmio, new Run(true), completion, new RunFailed(Errno.EINTR, Base + 8), new Run(), completion with { Pc = Base + 8, NextPc = Base + 12 })));
        Assert.Empty(Keys(Arm64Invariants.ReentryCompletesInvariant, T(new Run(), Hw(Base), mmio, new Run(true), completion, new RunFailed(Errno.EINTR, Base + 8))));
    }

    [Fact]
    public void ExitConsistent_FailsWhenUserspaceSeesAPcBehindWhatRetired()
    {
        var emulated = new Retired(Base, Base + 4, RetiredBy.Kvm, "mrs");
        Assert.Equal(["EXIT-CONSISTENT:pc"], Keys(Arm64Invariants.ExitConsistentInvariant, T(new Run(), emulated, new Exit(KvmExitReason.KVM_EXIT_INTR, Base))));
        Assert.Empty(Keys(Arm64Invariants.ExitConsistentInvariant, T(new Run(), emulated, new Exit(KvmExitReason.KVM_EXIT_INTR, Base + 4))));
        Assert.Equal(["EXIT-CONSISTENT:pc", "EXIT-CONSISTENT:pending"], Keys(Arm64Invariants.ExitConsistentInvariant,
            T(new Run(), emulated, new Exit(KvmExitReason.KVM_EXIT_INTR, Base), new SetOneReg(OneReg.PC, Base), new Run(), Hw(Base + 4))));
    }

    [Fact]
    public void Catalogue_IdsAreUnique_AndEveryInvariantHasSourcesAndPaths()
    {
        Assert.Equal(Arm64Invariants.All.Length, Arm64Invariants.All.Select(i => i.Id).Distinct().Count());
        Assert.All(Arm64Invariants.All, i => { Assert.NotEmpty(i.Sources); Assert.NotEmpty(i.Paths); Assert.EndsWith(".", i.Statement); });
    }
}
