using System.Collections.Immutable;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Exploration;

/// <summary>Random, realistic arm64 scripts from reset: a short guest program of the model's
/// instruction kinds and a VMM that mostly steps and runs, completes MMIO, reads registers,
/// sometimes fails an access, and an environment that raises interrupts and signals.</summary>
public static class ScriptGenerator
{
    private static readonly (int, InstructionKind)[] Kinds =
    [
        (6, InstructionKind.Nop), (1, InstructionKind.Branch), (2, InstructionKind.LoadRam), (2, InstructionKind.StoreRam),
        (2, InstructionKind.MmioLoadKernel), (4, InstructionKind.MmioLoadUser), (2, InstructionKind.MmioStoreUser),
        (2, InstructionKind.MmioNoIsv), (3, InstructionKind.MsrDbgbvr), (1, InstructionKind.MrsDbgbvr), (3, InstructionKind.MrsMdscr),
        (1, InstructionKind.CondFailedA32), (1, InstructionKind.GicV2CpuIfFault), (2, InstructionKind.Hvc), (2, InstructionKind.Svc),
        (1, InstructionKind.Brk), (1, InstructionKind.Wfi), (1, InstructionKind.UnmaskSError),
        (6, InstructionKind.MsrImm), (2, InstructionKind.MrsReg), (1, InstructionKind.DaifSetD), (2, InstructionKind.DaifClrD),
    ];

    private static readonly (int, ulong)[] MdscrValues =
    [
        (3, new MDSCR_EL1(SS: true, KDE: true, MDE: false).Encode()),
        (3, new MDSCR_EL1(SS: false, KDE: true, MDE: true).Encode()),
        (2, new MDSCR_EL1(SS: true, KDE: true, MDE: true).Encode()),
        (2, 0UL),
    ];

    /// <summary>The guest's own debug writes: self-step, breakpoints, a watchpoint, the OS Lock.</summary>
    private static readonly (int, Func<Rng, int, Instruction>)[] Writes =
    [
        (3, (r, _) => Instruction.Msr(SysReg.MDSCR_EL1, r.Pick(MdscrValues))),
        (3, (r, _) => Instruction.Msr(SysReg.OSLAR_EL1, (ulong)r.Below(2))),
        (1, (_, _) => Instruction.Msr(SysReg.OSDLR_EL1, 0)),
        (2, (_, _) => Instruction.Msr(SysReg.DBGBCR0_EL1, DBGBCR.El1(BreakpointType.AddressUnlinked).Encode())),
        (2, (r, length) => Instruction.Msr(SysReg.DBGBVR0_EL1, GuestProgram.AddressOf(r.Below(length)))),
        (1, (_, _) => Instruction.Msr(SysReg.DBGWCR0_EL1, DBGWCR.El1LoadStore().Encode())),
        (1, (_, _) => Instruction.Msr(SysReg.DBGWVR0_EL1, GuestProgram.RamAddr)),
        (1, (r, _) => Instruction.Msr(SysReg.CONTEXTIDR_EL1, (ulong)r.Below(2))),
    ];


    /// <summary>Self-debug set-ups as the selftest's guest does them, so that random programs reach
    /// guest-owned debug often: a breakpoint on one of the body's instructions (addresses are shifted
    /// by the prologue's own length), a watchpoint on the RAM variable, self-step, the OS Lock.</summary>
    private static readonly (int, Func<Rng, int, Instruction[]>)[] Prologues =
    [
        (2, (r, length) => [Instruction.Msr(SysReg.DBGBCR0_EL1, DBGBCR.El1(BreakpointType.AddressUnlinked).Encode()),
                       Instruction.Msr(SysReg.DBGBVR0_EL1, GuestProgram.AddressOf(3 + r.Below(length))),
                       Instruction.Msr(SysReg.MDSCR_EL1, new MDSCR_EL1(false, true, true).Encode())]),
        (1, (_, _) => [Instruction.Msr(SysReg.DBGWCR0_EL1, DBGWCR.El1LoadStore().Encode()),
                       Instruction.Msr(SysReg.DBGWVR0_EL1, GuestProgram.RamAddr),
                       Instruction.Msr(SysReg.MDSCR_EL1, new MDSCR_EL1(false, true, true).Encode())]),
        (2, (_, _) => [Instruction.Msr(SysReg.MDSCR_EL1, new MDSCR_EL1(true, true, false).Encode())]),
        (2, (r, _) => [Instruction.Msr(SysReg.OSLAR_EL1, (ulong)r.Below(2)), Instruction.Mrs(SysReg.OSLSR_EL1)]),
    ];

    private static readonly (int, SysReg)[] Reads =
    [
        (3, SysReg.OSLSR_EL1), (2, SysReg.MDSCR_EL1), (1, SysReg.DBGBVR0_EL1), (1, SysReg.CONTEXTIDR_EL1), (1, SysReg.OSDLR_EL1),
    ];

    public static readonly ulong GuestPstate = new PSTATE(SS: false, D: false, A: false, I: false, EL: ExceptionLevel.EL1).Encode();

    public static GuestProgram Program(Rng r, int length)
    {
        var prologue = r.Chance(35) ? r.Pick(Prologues)(r, length) : [];
        var body = new Instruction[length];
        for (int i = 0; i < length; i++)
        {
            var k = r.Pick(Kinds);
            body[i] = k switch
            {
                InstructionKind.Branch => new Instruction(k, GuestProgram.AddressOf(r.Below(length))),
                InstructionKind.LoadRam => new Instruction(k, Stage2Fault: r.Chance(60)),
                InstructionKind.StoreRam => new Instruction(k, Stage2Fault: r.Chance(60), Value: 0x78),
                InstructionKind.MsrImm => r.Pick(Writes)(r, length),
                InstructionKind.MrsReg => Instruction.Mrs(r.Pick(Reads)),
                _ => new Instruction(k),
            };
        }
        return new GuestProgram([.. prologue, .. body]);
    }

    public static Action NextAction(Rng r, GuestProgram p)
    {
        var choices = new (int, Func<Action>)[]
        {
            (30, () => Action.Of(new Run())),
            (4, () => Action.Of(new Run(ImmediateExit: true))),
            (5, () => Action.Of(new SetGuestDebug(KvmGuestDebug.KVM_GUESTDBG_ENABLE | KvmGuestDebug.KVM_GUESTDBG_SINGLESTEP))),
            (2, () => Action.Of(new SetGuestDebug(KvmGuestDebug.KVM_GUESTDBG_ENABLE))),
            (1, () => Action.Of(new SetGuestDebug(KvmGuestDebug.None))),
            (1, () => Action.Of(new SetGuestDebug(KvmGuestDebug.KVM_GUESTDBG_ENABLE | KvmGuestDebug.KVM_GUESTDBG_USE_SW_BP))),
            (1, () => Action.Of(new SetGuestDebug(KvmGuestDebug.KVM_GUESTDBG_ENABLE | KvmGuestDebug.KVM_GUESTDBG_USE_HW, GuestProgram.AddressOf(r.Below(p.Body.Length))))),
            (2, () => new MigrateAction(FromOlder: r.Chance(50))),
            (5, () => Action.Of(new CompleteMmio((ulong)r.Below(0x100)))),
            (3, () => Action.Of(new SetVcpuEvents(ExtDabtPending: true))),
            (1, () => Action.Of(new SetVcpuEvents(ExtDabtPending: false, SErrorPending: true))),
            (4, () => Action.Of(new GetOneReg(OneReg.PC, 0))),
            (5, () => Action.Of(new GetOneReg(OneReg.PSTATE, 0))),
            (1, () => Action.Of(new SetOneReg(OneReg.PC, GuestProgram.AddressOf(r.Below(p.Body.Length))))),
            (1, () => Action.Of(new SetOneReg(OneReg.PSTATE, GuestPstate))),
            (1, () => Action.Of(new EnableCap(KvmCap.KVM_CAP_ARM_NISV_TO_USER))),
            (3, () => Action.Of(new VmmEmulate())),
            (3, () => Action.Of(new InterruptPending(IrqTarget.Guest))),
            (4, () => Action.Of(new InterruptPending(IrqTarget.Host))),
            (4, () => Action.Of(new SignalPending())),
            (20, () => Action.Tick),
            (6, () => Action.Ticks(2 + r.Below(3))),
        };
        return r.Pick(choices)();
    }

    /// <summary>A script of about <paramref name="size"/> actions; most start by enabling host single-step,
    /// many by enabling KVM_CAP_ARM_NISV_TO_USER (as QEMU does), some by letting the guest run first.</summary>
    public static Script Generate(Rng r, int size)
    {
        var p = Program(r, 2 + r.Below(6));
        var actions = ImmutableArray.CreateBuilder<Action>();
        if (r.Chance(40)) actions.Add(Action.Of(new EnableCap(KvmCap.KVM_CAP_ARM_NISV_TO_USER)));
        if (r.Chance(20)) actions.Add(Action.Of(new Run()));
        if (r.Chance(65)) actions.Add(Action.Of(new SetGuestDebug(KvmGuestDebug.KVM_GUESTDBG_ENABLE | KvmGuestDebug.KVM_GUESTDBG_SINGLESTEP)));
        int n = 1 + r.Below(Math.Max(1, size));
        for (int i = 0; i < n; i++) actions.Add(NextAction(r, p));
        return new Script(p, actions.ToImmutable());
    }
}
