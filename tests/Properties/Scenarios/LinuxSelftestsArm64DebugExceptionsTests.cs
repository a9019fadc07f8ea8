using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Xunit;
using Action = Kvmspec.Model.Exploration.Action;

using static Kvmspec.Properties.Support.TraceAssert;

namespace Kvmspec.Properties.Scenarios;

/// <summary>LX-A64-DE-01..12: the guest-internal program of the Linux selftest debug-exceptions.c
/// (peer-scenarios-linux-selftests.md §2.1), replayed against <see cref="Arm64Variants.Upstream"/>.
/// The host never calls KVM_SET_GUEST_DEBUG; each subtest is one guest program that ends in the
/// ucall DONE (an MMIO write), run with one KVM_RUN, and the assertions are the subtest's.</summary>
/// <remarks>
/// Vocabulary: "reset" is [msr daifset #8; msr oslar_el1 #0] (the selftest also zeroes OSDLR,
/// MDSCR, CONTEXTIDR and the breakpoint registers, which start at zero in the model); a recorded PC
/// is the ELR_EL1 of the <c>exception</c> observation; the guest's handlers are the program's
/// synchronous handler (BRK: ELR += 4; breakpoint/watchpoint: SPSR.D = 1; step: SPSR.SS = 1; SVC:
/// return). Breakpoint b is DBGBCR0/DBGBVR0, the context-aware c is DBGBCR1/DBGBVR1, watchpoint w
/// is DBGWCR0/DBGWVR0 on the RAM variable standing for write_data. The b/w/c matrix is one point.
/// </remarks>
public class LinuxSelftestsArm64DebugExceptionsTests
{
    private static readonly Variant Upstream = Arm64Variants.Upstream;
    private const ulong ContextId = 0xabcdef;
    private const ulong X = 0x78; // 'x'

    private static readonly Instruction[] Reset = [new(InstructionKind.DaifSetD), Instruction.Msr(SysReg.OSLAR_EL1, 0)];
    private static readonly Instruction[] Lock = [Instruction.Msr(SysReg.OSLAR_EL1, 1)];
    private static readonly Instruction Ucall = new(InstructionKind.MmioStoreUser);
    private static readonly Instruction Nop = new(InstructionKind.Nop);
    private static readonly Instruction KdeMde = Instruction.Msr(SysReg.MDSCR_EL1, new MDSCR_EL1(SS: false, KDE: true, MDE: true).Encode());
    private static readonly Instruction KdeSs = Instruction.Msr(SysReg.MDSCR_EL1, new MDSCR_EL1(SS: true, KDE: true, MDE: false).Encode());
    private static readonly Instruction UnmaskD = new(InstructionKind.DaifClrD);
    private static readonly Instruction MaskD = new(InstructionKind.DaifSetD);
    private static readonly Instruction Store = new(InstructionKind.StoreRam, Value: X);

    /// <summary>"Install breakpoint" on the instruction at <paramref name="index"/>: BCR, BVR, then unmask D and MDSCR |= KDE|MDE.</summary>
    private static Instruction[] InstallBp(int index, BreakpointType type = BreakpointType.AddressUnlinked, byte lbn = 0) =>
    [
        Instruction.Msr(SysReg.DBGBCR0_EL1, DBGBCR.El1(type, lbn).Encode()),
        Instruction.Msr(SysReg.DBGBVR0_EL1, GuestProgram.AddressOf(index)),
        UnmaskD, KdeMde,
    ];

    private static Instruction[] InstallWp(bool linked = false) =>
    [
        Instruction.Msr(SysReg.DBGWCR0_EL1, DBGWCR.El1LoadStore(linked, lbn: 1).Encode()),
        Instruction.Msr(SysReg.DBGWVR0_EL1, GuestProgram.RamAddr),
        UnmaskD, KdeMde,
    ];

    private static readonly Instruction[] ContextBp =
    [
        Instruction.Msr(SysReg.DBGBCR1_EL1, DBGBCR.El1(BreakpointType.ContextIdLinked).Encode()),
        Instruction.Msr(SysReg.DBGBVR1_EL1, ContextId),
    ];

    [Fact]
    public void LX_A64_DE_01_SoftwareBreakpoint_ReachesTheGuest()
    {
        Instruction[] pre = [.. Reset];
        var r = RunToDone([.. pre, new(InstructionKind.Brk), Ucall]);
        ulong brk = GuestProgram.AddressOf(pre.Length);
        Assert.Equal([brk], Taken(r, ExceptionClass.BRK64));
    }

    [Fact]
    public void LX_A64_DE_02_HardwareBreakpoint_ReachesTheGuestOnce()
    {
        Instruction[] pre = [.. Reset];
        int at = pre.Length + 4;
        var r = RunToDone([.. pre, .. InstallBp(at), Nop, Ucall]);
        Assert.Equal([GuestProgram.AddressOf(at)], Taken(r, ExceptionClass.BREAKPT_CUR));
        That(r.Trace.Events.OfType<Retired>().Any(x => x.Pc == GuestProgram.AddressOf(at)), "the NOP runs after the handler returns with D masked", r.Trace);
    }

    [Fact]
    public void LX_A64_DE_03_HardwareBreakpointOnSvc_ComesFirst_ThenTheSvc()
    {
        int at = Reset.Length + 4;
        var r = RunToDone([.. Reset, .. InstallBp(at), new(InstructionKind.Svc), Ucall]);
        Assert.Equal([GuestProgram.AddressOf(at)], Taken(r, ExceptionClass.BREAKPT_CUR));
        Assert.Equal([GuestProgram.AddressOf(at) + 4], Taken(r, ExceptionClass.SVC64));
        That(Order(r, ExceptionClass.BREAKPT_CUR) < Order(r, ExceptionClass.SVC64), "the breakpoint exception precedes the SVC's", r.Trace);
    }

    [Fact]
    public void LX_A64_DE_04_HardwareBreakpointOnBrk_ComesFirst_ThenTheBrk()
    {
        int at = Reset.Length + 4;
        var r = RunToDone([.. Reset, .. InstallBp(at), new(InstructionKind.Brk), Ucall]);
        Assert.Equal([GuestProgram.AddressOf(at)], Taken(r, ExceptionClass.BREAKPT_CUR));
        Assert.Equal([GuestProgram.AddressOf(at)], Taken(r, ExceptionClass.BRK64));
        That(Order(r, ExceptionClass.BREAKPT_CUR) < Order(r, ExceptionClass.BRK64), "the breakpoint exception precedes the BRK's", r.Trace);
    }

    [Fact]
    public void LX_A64_DE_05_Watchpoint_ReachesTheGuest_AndTheStoreCompletes()
    {
        int at = Reset.Length + 4;
        var r = RunToDone([.. Reset, .. InstallWp(), Store, Ucall]);
        Assert.Equal([GuestProgram.AddressOf(at)], Taken(r, ExceptionClass.WATCHPT_CUR));
        Assert.Equal(GuestProgram.RamAddr, r.Final.FAR_EL1);
        Assert.Equal(X, r.Final.Ram);
    }

    [Fact]
    public void LX_A64_DE_06_GuestSingleStep_StepsEachInstruction_FirstBeforeAnyInstruction()
    {
        // install single-step; "ss_idx = 0" (a NOP, itself stepped); ss_start: mrs esr (a NOP), add, msr daifset #8.
        Instruction[] pre = [.. Reset, UnmaskD, KdeSs, Nop];
        ulong ssStart = GuestProgram.AddressOf(pre.Length);
        var r = RunToDone([.. pre, Nop, Nop, MaskD, Ucall]);
        var steps = Taken(r, ExceptionClass.SOFTSTP_CUR);
        Assert.True(steps.Count >= 3, $"at least three step exceptions; got {steps.Count}");
        Assert.Equal([ssStart, ssStart + 4, ssStart + 8], steps.TakeLast(3));
        Assert.Equal(ssStart - 4, steps[0]); // the first, before any instruction after stepping became active
        Assert.DoesNotContain(r.Trace.Events.OfType<ExceptionTaken>(), x => x.Esr?.EC == ExceptionClass.SOFTSTP_CUR && x.Elr > ssStart + 8);
        var first = r.Trace.Events.OfType<ExceptionTaken>().First(x => x.Esr?.EC == ExceptionClass.SOFTSTP_CUR);
        That(first.Esr is { ISV: false }, "the first step exception has ISV=0: no instruction was stepped", r.Trace);
    }

    [Fact]
    public void LX_A64_DE_07_OsLock_DoesNotBlockBrk()
    {
        Instruction[] pre = [.. Reset, .. Lock, Instruction.Mrs(SysReg.OSLSR_EL1)];
        var r = RunToDone([.. pre, new(InstructionKind.Brk), Ucall]);
        var oslsr = r.Trace.Events.OfType<GuestRegRead>().Single(x => x.Reg == SysReg.OSLSR_EL1);
        That(OSLSR_EL1.Decode(oslsr.Value).OSLK, "OSLSR_EL1.OSLK reads 1 after the lock", r.Trace);
        Assert.Equal([GuestProgram.AddressOf(pre.Length)], Taken(r, ExceptionClass.BRK64));
    }

    [Fact]
    public void LX_A64_DE_08_OsLock_BlocksTheHardwareBreakpoint()
    {
        int at = Reset.Length + Lock.Length + 4;
        var r = RunToDone([.. Reset, .. Lock, .. InstallBp(at), Nop, Ucall]);
        Assert.Empty(Taken(r, ExceptionClass.BREAKPT_CUR));
    }

    [Fact]
    public void LX_A64_DE_09_OsLock_BlocksTheWatchpoint_AndTheStoreCompletes()
    {
        var r = RunToDone([.. Reset, .. Lock, .. InstallWp(), Store, Ucall]);
        Assert.Empty(Taken(r, ExceptionClass.WATCHPT_CUR));
        Assert.Equal(X, r.Final.Ram);
    }

    [Fact]
    public void LX_A64_DE_10_OsLock_BlocksGuestSingleStep()
    {
        var r = RunToDone([.. Reset, .. Lock, UnmaskD, KdeSs, Nop, Nop, Nop, MaskD, Ucall]);
        Assert.Empty(Taken(r, ExceptionClass.SOFTSTP_CUR));
    }

    [Fact]
    public void LX_A64_DE_11_ContextLinkedBreakpoint_Fires()
    {
        Instruction[] pre = [.. Reset, .. ContextBp];
        int at = pre.Length + 4 + 1;
        var r = RunToDone([.. pre, .. InstallBp(at, BreakpointType.AddressLinked, lbn: 1), Instruction.Msr(SysReg.CONTEXTIDR_EL1, ContextId),
            Nop, Instruction.Msr(SysReg.CONTEXTIDR_EL1, 0), Ucall]);
        Assert.Equal([GuestProgram.AddressOf(at)], Taken(r, ExceptionClass.BREAKPT_CUR));
    }

    [Fact]
    public void LX_A64_DE_12_ContextLinkedWatchpoint_Fires_AndTheStoreCompletes()
    {
        Instruction[] pre = [.. Reset, .. ContextBp];
        int at = pre.Length + 4 + 1;
        var r = RunToDone([.. pre, .. InstallWp(linked: true), Instruction.Msr(SysReg.CONTEXTIDR_EL1, ContextId), Store, Ucall]);
        Assert.Equal([GuestProgram.AddressOf(at)], Taken(r, ExceptionClass.WATCHPT_CUR));
        Assert.Equal(X, r.Final.Ram);
    }

    [Fact]
    public void LX_A64_DE_ContextLinkedBreakpoint_DoesNotFireWithAnotherContext()
    {
        // The negative of DE-11 (not a selftest assertion): the link is what makes it fire.
        Instruction[] pre = [.. Reset, .. ContextBp];
        int at = pre.Length + 4 + 1;
        var r = RunToDone([.. pre, .. InstallBp(at, BreakpointType.AddressLinked, lbn: 1), Instruction.Msr(SysReg.CONTEXTIDR_EL1, 0x1234), Nop, Ucall]);
        Assert.Empty(Taken(r, ExceptionClass.BREAKPT_CUR));
    }

    [Fact]
    public void LX_A64_DE_08_Discriminates_v5_13WhereTheGuestCannotLock()
    {
        // The same program against arm64/v5.13 (OSLAR_EL1 RAZ/WI): the breakpoint fires, and
        // OSLOCK-BLOCKS says so. The scenario's assertion would fail there.
        int at = Reset.Length + Lock.Length + 4;
        var program = GuestProgram.Of([.. Reset, .. Lock, .. InstallBp(at), Nop, Ucall]);
        var r = Simulator.Execute(Arm64Variants.V5_13, new Script(program, [Action.Of(new Run())]));
        Assert.Equal([GuestProgram.AddressOf(at)], Taken(r, ExceptionClass.BREAKPT_CUR));
        Assert.Contains(Arm64Invariants.OsLockBlocksInvariant.Check(r.Trace).Violations, v => v.Key == "OSLOCK-BLOCKS:debug-exception");
    }

    // ---- helpers ----

    /// <summary>Runs the program with one KVM_RUN; it must end at the ucall DONE with no undeclared violation.</summary>
    private static SimResult RunToDone(Instruction[] body)
    {
        var program = GuestProgram.Of(body);
        var r = Simulator.Execute(Upstream, new Script(program, [Action.Of(new Run())]));
        That(r.Unhandled is null, $"the model handles the program: {r.Unhandled}", r.Trace);
        var done = r.Trace.Events.OfType<Kvmspec.Spec.Trace.Exit>().FirstOrDefault();
        That(done is { Reason: KvmExitReason.KVM_EXIT_MMIO, Payload: MmioPayload { IsWrite: true } } && done.Pc == program.LoopBranch - Instruction.Length,
            "the only exit is the ucall DONE at the end of the program", r.Trace);
        var undeclared = Judge.Undeclared(Upstream, r.Trace).ToList();
        That(undeclared.Count == 0, $"no violation outside {Upstream.Id}'s declarations: {string.Join("; ", undeclared)}", r.Trace);
        var own = Arm64Invariants.All.Where(i => i.Id is OsLockBlocks.Id or GuestStep.Id).SelectMany(i => i.Check(r.Trace).Violations).ToList();
        That(own.Count == 0, $"OSLOCK-BLOCKS and GUEST-STEP hold: {string.Join("; ", own)}", r.Trace);
        return r;
    }

    /// <summary>The ELR_EL1 of each exception of class <paramref name="ec"/> the guest took, in order.</summary>
    private static List<ulong> Taken(SimResult r, ExceptionClass ec) =>
        [.. r.Trace.Events.OfType<ExceptionTaken>().Where(x => x.Esr?.EC == ec).Select(x => x.Elr)];

    private static int Order(SimResult r, ExceptionClass ec) =>
        r.Trace.Events.Select((e, i) => (e, i)).First(p => p.e is ExceptionTaken x && x.Esr?.EC == ec).i;
}
