using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Arm64;

/// <summary>The CPU executing the guest: the architecture's rules (from Spec) applied to the live
/// vCPU state under the hardware configuration KVM programmed. This is not KVM: it is what the
/// silicon does between two KVM decisions.</summary>
/// <remarks>
/// Priorities at an instruction boundary (the order of RunProtocol's <c>execute</c> rows): a pending
/// host interrupt, then a due software-step exception, then a guest interrupt or SError, then the
/// instruction. The relative priority of software step and asynchronous exceptions is partly
/// IMPLEMENTATION DEFINED (Arm ARM "Synchronization and the Software Step exception"); this model
/// takes host IRQs first (the case Reiji Watanabe's v6.1 cover letter describes: "an IRQ taken after
/// the instruction completed but before the step exception") and guest interrupts after the step
/// exception (QEMU's choice, target/arm gen_step_complete_exception comment).
/// </remarks>
public static class Cpu
{
    public static bool DebugEnabled(Vcpu s) => DebugExceptions.GenerateDebugExceptions(s.PSTATE, s.HwMDSCR_EL1, s.MDCR_EL2, OSLK: false);

    public static StepState Step(Vcpu s) => SoftwareStep.StateOf(s.HwMDSCR_EL1, DebugEnabled(s), s.PSTATE);

    public static Instruction Current(Ctx c) => c.P.At(c.S.PC) ?? new Instruction(InstructionKind.Nop);

    public static bool IsMapped(Ctx c) => c.P.IndexOf(c.S.PC) is var i and >= 0 && (c.S.MappedPages >> i & 1) != 0;

    // ---- guards (RunProtocol execute rows) ----
    public static bool HostIrqPending(Ctx c) => c.S.HostIrqPending;

    public static bool SoftwareStepDue(Ctx c) => SoftwareStep.CheckSoftwareStep(c.S.HwMDSCR_EL1, DebugEnabled(c.S), c.S.PSTATE);

    public static bool GuestInterruptDue(Ctx c) => (c.S.VSErrorPending && !c.S.PSTATE.A) || (c.S.GuestIrqPending && !c.S.PSTATE.I);

    public static bool InstructionTrapsToEl2(Ctx c) => Current(c) switch
    {
        { Kind: InstructionKind.LoadRam or InstructionKind.StoreRam, Stage2Fault: true } => !IsMapped(c),
        { Kind: InstructionKind.MmioLoadKernel or InstructionKind.MmioLoadUser or InstructionKind.MmioStoreUser or InstructionKind.MmioNoIsv } => true,
        { Kind: InstructionKind.MsrDbgbvr or InstructionKind.MrsDbgbvr or InstructionKind.MrsMdscr } => c.S.MDCR_EL2.TDA,
        { Kind: InstructionKind.CondFailedA32 or InstructionKind.GicV2CpuIfFault or InstructionKind.Hvc or InstructionKind.Wfi } => true,
        { Kind: InstructionKind.Brk } => c.S.MDCR_EL2.TDE,
        _ => false,
    };

    // ---- effects ----
    /// <summary>A physical interrupt for the host: the CPU leaves the guest for EL2 at this boundary.</summary>
    public static Ctx take_host_irq(Ctx c) =>
        c.With(s => s with { HostIrqPending = false, Cause = new ExitCause(ExitCauseKind.HostIrq, default, s.PC, Current(c)) })
         .Cpu("host IRQ: exit to EL2");

    /// <summary>CheckSoftwareStep(): the step exception, routed to EL2 by MDCR_EL2.TDE.</summary>
    public static Ctx software_step_exception(Ctx c)
    {
        var esr = ESR_ELx.SoftwareStep(fromLowerEL: true, isv: c.S.SteppedSinceEntry, ex: false);
        return c.With(s => s with { Cause = new ExitCause(ExitCauseKind.SoftwareStep, esr, s.PC, Current(c)) })
                .Cpu($"software step exception (active-pending) -> EL2, ESR={esr}");
    }

    /// <summary>An SError (if unmasked) or IRQ (if unmasked) taken by the guest's EL1.</summary>
    public static Ctx take_guest_interrupt(Ctx c) =>
        c.S.VSErrorPending && !c.S.PSTATE.A
            ? TakeToEl1(c.With(s => s with { VSErrorPending = false }), VectorOffset.CurrentSpxSError, new ESR_ELx(ExceptionClass.SERROR, true, 0), c.S.PC)
            : TakeToEl1(c.With(s => s with { GuestIrqPending = false }), VectorOffset.CurrentSpxIrq, null, c.S.PC);

    /// <summary>Exception entry to the guest's EL1 (AArch64.TakeException): SPSR_EL1 gets PSTATE,
    /// including SS; ELR_EL1 the preferred return address; PSTATE.SS := 0, DAIF masked.</summary>
    public static Ctx TakeToEl1(Ctx c, ulong offset, ESR_ELx? esr, ulong preferredReturn)
    {
        var s = c.S;
        var vector = GuestProgram.Vbar + offset;
        var ev = new ExceptionTaken(vector, esr, preferredReturn, s.PSTATE);
        return c.With(x => x with
        {
            SPSR_EL1 = s.PSTATE,
            ELR_EL1 = preferredReturn,
            ESR_EL1 = esr ?? x.ESR_EL1,
            PSTATE = Exceptions.TakeException(s.PSTATE, ExceptionLevel.EL1),
            PC = vector,
            SteppedSinceEntry = false,
        }).Emit(ev);
    }

    /// <summary>An instruction completes natively: effects applied by the caller, then the PC moves
    /// and SSAdvance() runs.</summary>
    public static Ctx Complete(Ctx c, ulong next, ulong? data = null)
    {
        var s = c.S;
        var was = Step(s);
        var ins = Current(c);
        return c.With(x => x with
        {
            PC = next,
            PSTATE = SoftwareStep.SSAdvance(x.HwMDSCR_EL1, x.PSTATE),
            SteppedSinceEntry = x.SteppedSinceEntry || was == StepState.ActiveNotPending,
        }).Emit(new Retired(s.PC, next, RetiredBy.Hardware, ins.Mnemonic, Data: data));
    }

    /// <summary>The instruction at PC traps to EL2: record the exit cause (ESR_EL2, FAR/PC).</summary>
    public static Ctx trap_to_el2(Ctx c)
    {
        var ins = Current(c);
        var pc = c.S.PC;
        (ExitCauseKind kind, ESR_ELx esr) = ins.Kind switch
        {
            InstructionKind.LoadRam => (ExitCauseKind.Stage2Fault, ESR_ELx.DataAbort(true, true, false, ESR_ELx.DFSC_TRANSLATION_L3)),
            InstructionKind.StoreRam => (ExitCauseKind.Stage2Fault, ESR_ELx.DataAbort(true, true, true, ESR_ELx.DFSC_TRANSLATION_L3)),
            InstructionKind.MmioLoadKernel => (ExitCauseKind.MmioKernel, ESR_ELx.DataAbort(true, true, false, ESR_ELx.DFSC_TRANSLATION_L3)),
            InstructionKind.MmioLoadUser => (ExitCauseKind.MmioUser, ESR_ELx.DataAbort(true, true, false, ESR_ELx.DFSC_TRANSLATION_L3)),
            InstructionKind.MmioStoreUser => (ExitCauseKind.MmioUser, ESR_ELx.DataAbort(true, true, true, ESR_ELx.DFSC_TRANSLATION_L3)),
            InstructionKind.MmioNoIsv => (ExitCauseKind.MmioNoIsv, ESR_ELx.DataAbort(true, false, false, ESR_ELx.DFSC_TRANSLATION_L3)),
            InstructionKind.MsrDbgbvr or InstructionKind.MrsDbgbvr or InstructionKind.MrsMdscr => (ExitCauseKind.Sysreg, new ESR_ELx(ExceptionClass.SYS64, true, ins.Kind == InstructionKind.MsrDbgbvr ? 0u : 1u)),
            InstructionKind.CondFailedA32 => (ExitCauseKind.CondFailed, new ESR_ELx(ExceptionClass.CP15_32, true, 1u << 24 | 1u << 20)),
            InstructionKind.GicV2CpuIfFault => (ExitCauseKind.HypCpuIfFault, ESR_ELx.DataAbort(true, true, false, ESR_ELx.DFSC_TRANSLATION_L3)),
            InstructionKind.Hvc => (ExitCauseKind.Hvc, new ESR_ELx(ExceptionClass.HVC64, true, 0)),
            InstructionKind.Wfi => (ExitCauseKind.Wfi, new ESR_ELx(ExceptionClass.WFx, true, 0)),
            _ => (ExitCauseKind.Brk, ESR_ELx.Brk64(0)),
        };
        if (kind == ExitCauseKind.Hvc)
        {
            // HVC is an exception-generating instruction: SSAdvance() happens before the exception,
            // and the preferred return address is the next instruction (Arm ARM "Software Step
            // exceptions": SVC, HVC and SMC complete before the exception is taken).
            c = Complete(c, pc + Instruction.Length);
        }
        var cause = new ExitCause(kind, esr, pc, ins);
        return c.With(s => s with { Cause = cause }).Cpu($"0x{pc:X} {ins.Mnemonic} traps to EL2, ESR={esr}");
    }

    /// <summary>Executes the instruction at PC natively (no trap).</summary>
    public static Ctx execute(Ctx c)
    {
        var s = c.S;
        var ins = Current(c);
        var next = s.PC + Instruction.Length;
        switch (ins.Kind)
        {
            case InstructionKind.Branch:
                return Complete(c, ins.Target);
            case InstructionKind.MrsMdscr:
                // Native read (MDCR_EL2.TDA clear): the guest sees what the hardware holds.
                var v = s.HwMDSCR_EL1.Encode();
                return Complete(c.With(x => x with { X0 = v }).Emit(new GuestRegRead(SysReg.MDSCR_EL1, v)), next);
            case InstructionKind.MrsDbgbvr:
                return Complete(c.With(x => x with { X0 = x.DBGBVR0_EL1 }), next);
            case InstructionKind.MsrDbgbvr:
                return Complete(c.With(x => x with { DBGBVR0_EL1 = x.X0 }), next);
            case InstructionKind.Svc:
                c = Complete(c, next);
                return TakeToEl1(c, VectorOffset.CurrentSpxSync, new ESR_ELx(ExceptionClass.SVC64, true, 0), next);
            case InstructionKind.Brk:
                // MDCR_EL2.TDE clear: the guest's own EL1 takes the BRK; the preferred return is the BRK.
                return TakeToEl1(c, VectorOffset.CurrentSpxSync, ESR_ELx.Brk64(0), s.PC);
            case InstructionKind.Eret:
                var spsr = s.SPSR_EL1;
                bool atSource = DebugEnabled(s);
                bool atDest = DebugExceptions.GenerateDebugExceptionsFrom(spsr.EL, spsr.D, s.HwMDSCR_EL1, s.MDCR_EL2, OSLK: false);
                bool ss = SoftwareStep.DebugExceptionReturnSS(spsr.SS, s.HwMDSCR_EL1, atSource, atDest);
                bool stepped = Step(s) == StepState.ActiveNotPending;
                return c.With(x => x with
                {
                    PC = x.ELR_EL1,
                    PSTATE = Exceptions.ExceptionReturn(spsr, ss),
                    SteppedSinceEntry = x.SteppedSinceEntry || stepped,
                }).Emit(new Retired(s.PC, s.ELR_EL1, RetiredBy.Hardware, ins.Mnemonic));
            case InstructionKind.HandlerSkipIfFault:
                var skip = s.ESR_EL1.EC != ExceptionClass.SVC64;
                return Complete(c.With(x => x with { ELR_EL1 = skip ? x.ELR_EL1 + Instruction.Length : x.ELR_EL1 }), next);
            case InstructionKind.LoadRam:
                return Complete(c.With(x => x with { X0 = 0x5A }), next);
            case InstructionKind.UnmaskSError:
                return Complete(c.With(x => x with { PSTATE = x.PSTATE with { A = false } }), next);
            default:
                return Complete(c, next);
        }
    }

    /// <summary>KVM's ERET into the guest: PSTATE.SS from DebugExceptionReturnSS() with EL2 (debug
    /// disabled) as the source.</summary>
    public static Ctx world_switch_enter(Ctx c)
    {
        var s = c.S;
        bool atDest = DebugExceptions.GenerateDebugExceptionsFrom(s.PSTATE.EL, s.PSTATE.D, s.HwMDSCR_EL1, s.MDCR_EL2, OSLK: false);
        bool ss = SoftwareStep.DebugExceptionReturnSS(s.PSTATE.SS, s.HwMDSCR_EL1, enabledAtSource: false, atDest);
        return c.With(x => x with { PSTATE = x.PSTATE with { SS = ss }, SteppedSinceEntry = false })
                .Cpu($"ERET to guest at 0x{s.PC:X}, PSTATE.SS={(ss ? 1 : 0)}, MDSCR_EL1.SS={(s.HwMDSCR_EL1.SS ? 1 : 0)}, TDE={(s.MDCR_EL2.TDE ? 1 : 0)} ({StepNow(c.S with { PSTATE = s.PSTATE with { SS = ss } })})");
    }

    private static string StepNow(Vcpu s) => Step(s) switch
    {
        StepState.ActiveNotPending => "step active-not-pending",
        StepState.ActivePending => "step active-pending",
        _ => "step inactive",
    };
}
