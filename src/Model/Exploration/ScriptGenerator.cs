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
    ];

    public static readonly ulong GuestPstate = new PSTATE(SS: false, D: false, A: false, I: false, EL: ExceptionLevel.EL1).Encode();

    public static GuestProgram Program(Rng r, int length)
    {
        var body = new Instruction[length];
        for (int i = 0; i < length; i++)
        {
            var k = r.Pick(Kinds);
            body[i] = k switch
            {
                InstructionKind.Branch => new Instruction(k, GuestProgram.Base + (ulong)r.Below(length) * Instruction.Length),
                InstructionKind.LoadRam or InstructionKind.StoreRam => new Instruction(k, Stage2Fault: r.Chance(60)),
                _ => new Instruction(k),
            };
        }
        return new GuestProgram([.. body]);
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
            (5, () => Action.Of(new CompleteMmio((ulong)r.Below(0x100)))),
            (3, () => Action.Of(new SetVcpuEvents(ExtDabtPending: true))),
            (1, () => Action.Of(new SetVcpuEvents(ExtDabtPending: false, SErrorPending: true))),
            (4, () => Action.Of(new GetOneReg(CoreReg.PC, 0))),
            (5, () => Action.Of(new GetOneReg(CoreReg.PSTATE, 0))),
            (1, () => Action.Of(new SetOneReg(CoreReg.PC, GuestProgram.Base + (ulong)r.Below(p.Body.Length) * Instruction.Length))),
            (1, () => Action.Of(new SetOneReg(CoreReg.PSTATE, GuestPstate))),
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
    /// many by enabling KVM_CAP_ARM_NISV_TO_USER (as QEMU does).</summary>
    public static Script Generate(Rng r, int size)
    {
        var p = Program(r, 2 + r.Below(6));
        var actions = ImmutableArray.CreateBuilder<Action>();
        if (r.Chance(40)) actions.Add(Action.Of(new EnableCap(KvmCap.KVM_CAP_ARM_NISV_TO_USER)));
        if (r.Chance(75)) actions.Add(Action.Of(new SetGuestDebug(KvmGuestDebug.KVM_GUESTDBG_ENABLE | KvmGuestDebug.KVM_GUESTDBG_SINGLESTEP)));
        int n = 1 + r.Below(Math.Max(1, size));
        for (int i = 0; i < n; i++) actions.Add(NextAction(r, p));
        return new Script(p, actions.ToImmutable());
    }
}
