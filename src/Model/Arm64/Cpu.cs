using Kvmspec.Model.Machines;
using System.Collections.Immutable;
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
    public static bool DebugEnabled(Vcpu s) => DebugExceptions.GenerateDebugExceptions(s.PSTATE, s.HwMDSCR_EL1, s.MDCR_EL2, OSLK: s.HwOSLK);

    /// <summary>The breakpoints the hardware checks: the VMM's with KVM_GUESTDBG_USE_HW
    /// (external_debug_state), otherwise the guest's.</summary>
    public static ImmutableArray<DebugSlot> HwBreakpoints(Vcpu s) =>
        s.guest_debug.HasFlag(KvmGuestDebug.KVM_GUESTDBG_USE_HW)
            ? [s.external_bvr0 is { } a ? new DebugSlot(DBGBCR.El1(BreakpointType.AddressUnlinked).Encode(), a) : default, default]
            : s.Dbg.Bp;

    /// <summary>The watchpoints the hardware checks (the VMM sets none in this model).</summary>
    public static ImmutableArray<DebugSlot> HwWatchpoints(Vcpu s) =>
        s.guest_debug.HasFlag(KvmGuestDebug.KVM_GUESTDBG_USE_HW) ? [default] : s.Dbg.Wp;

    private static bool ToEl2(Vcpu s) => DebugExceptions.DebugTarget(s.MDCR_EL2) == ExceptionLevel.EL2;

    public static StepState Step(Vcpu s) => SoftwareStep.StateOf(s.HwMDSCR_EL1, DebugEnabled(s), s.PSTATE);

    public static Instruction Current(Ctx c) => c.P.At(c.S.PC) ?? new Instruction(InstructionKind.Nop);

    public static bool IsMapped(Ctx c) => c.P.IndexOf(c.S.PC) is var i and >= 0 && (c.S.MappedPages >> i & 1) != 0;

    // ---- guards (RunProtocol execute rows) ----
    public static bool HostIrqPending(Ctx c) => c.S.HostIrqPending;

    public static bool SoftwareStepDue(Ctx c) => SoftwareStep.CheckSoftwareStep(c.S.HwMDSCR_EL1, DebugEnabled(c.S), c.S.PSTATE);
    public static bool SoftwareStepToEl2(Ctx c) => SoftwareStepDue(c) && ToEl2(c.S);
    public static bool SoftwareStepToEl1(Ctx c) => SoftwareStepDue(c) && !ToEl2(c.S);

    /// <summary>AArch64.CheckBreakpoint() on the instruction fetch at PC.</summary>
    public static bool BreakpointDue(Ctx c) =>
        BreakpointUnit.BreakpointDue(c.S.HwMDSCR_EL1, DebugEnabled(c.S), HwBreakpoints(c.S), c.S.PC, c.S.CONTEXTIDR_EL1, c.S.PSTATE.EL);
    public static bool BreakpointToEl2(Ctx c) => BreakpointDue(c) && ToEl2(c.S);
    public static bool BreakpointToEl1(Ctx c) => BreakpointDue(c) && !ToEl2(c.S);

    /// <summary>AArch64.CheckWatchpoint() on the RAM access of the instruction at PC. SIMPLIFICATION
    /// [R]: checked before the stage-2 translation, so a watchpoint wins over a stage-2 fault.</summary>
    public static bool WatchpointDue(Ctx c) => Current(c).Kind is InstructionKind.LoadRam or InstructionKind.StoreRam
        && BreakpointUnit.WatchpointDue(c.S.HwMDSCR_EL1, DebugEnabled(c.S), HwWatchpoints(c.S), HwBreakpoints(c.S), GuestProgram.RamAddr,
            Current(c).Kind == InstructionKind.StoreRam, c.S.CONTEXTIDR_EL1, c.S.PSTATE.EL);
    public static bool WatchpointToEl2(Ctx c) => WatchpointDue(c) && ToEl2(c.S);
    public static bool WatchpointToEl1(Ctx c) => WatchpointDue(c) && !ToEl2(c.S);

    public static bool GuestInterruptDue(Ctx c) => (c.S.VSErrorPending && !c.S.PSTATE.A) || (c.S.GuestIrqPending && !c.S.PSTATE.I);

    public static bool InstructionTrapsToEl2(Ctx c) => Current(c) switch
    {
        { Kind: InstructionKind.LoadRam or InstructionKind.StoreRam, Stage2Fault: true } => !IsMapped(c),
        { Kind: InstructionKind.MmioLoadKernel or InstructionKind.MmioLoadUser or InstructionKind.MmioStoreUser or InstructionKind.MmioNoIsv } => true,
        { SysRegAccess: { Reg: var r } } => r.TrappedByTDA() ? c.S.MDCR_EL2.TDA : r.TrappedByTDOSA() && c.S.MDCR_EL2.TDOSA,
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

    /// <summary>A software-step exception taken by the guest's own EL1 (MDCR_EL2.TDE clear): EC
    /// SOFTSTP_CUR, ELR_EL1 = the next instruction to execute.</summary>
    public static Ctx guest_software_step(Ctx c) =>
        TakeToEl1(c, VectorOffset.CurrentSpxSync, ESR_ELx.SoftwareStep(fromLowerEL: false, isv: c.S.SteppedSinceEntry, ex: false), c.S.PC);

    /// <summary>A breakpoint exception routed to EL2 by MDCR_EL2.TDE: the instruction does not execute.</summary>
    public static Ctx breakpoint_to_el2(Ctx c) =>
        c.With(s => s with { Cause = new ExitCause(ExitCauseKind.Breakpoint, ESR_ELx.Breakpoint(fromLowerEL: true), s.PC, Current(c)) })
         .Cpu($"breakpoint at 0x{c.S.PC:X} -> EL2");

    /// <summary>A breakpoint exception taken by the guest's EL1: EC BREAKPT_CUR, ELR_EL1 = the instruction.</summary>
    public static Ctx guest_breakpoint(Ctx c) => TakeToEl1(c, VectorOffset.CurrentSpxSync, ESR_ELx.Breakpoint(fromLowerEL: false), c.S.PC);

    /// <summary>A watchpoint exception routed to EL2: the access does not happen, FAR_EL2 = the data address.</summary>
    public static Ctx watchpoint_to_el2(Ctx c) =>
        c.With(s => s with { Cause = new ExitCause(ExitCauseKind.Watchpoint, ESR_ELx.Watchpoint(true, Current(c).Kind == InstructionKind.StoreRam), s.PC, Current(c)) })
         .Cpu($"watchpoint on 0x{GuestProgram.RamAddr:X} at 0x{c.S.PC:X} -> EL2");

    /// <summary>A watchpoint exception taken by the guest's EL1: EC WATCHPT_CUR, FAR_EL1 = the data
    /// address, ELR_EL1 = the instruction (it did not complete).</summary>
    public static Ctx guest_watchpoint(Ctx c) =>
        TakeToEl1(c.With(s => s with { FAR_EL1 = GuestProgram.RamAddr }), VectorOffset.CurrentSpxSync,
            ESR_ELx.Watchpoint(false, Current(c).Kind == InstructionKind.StoreRam), c.S.PC);

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
        (ExitCauseKind kind, ESR_ELx esr) = ins.SysRegAccess is { } access
            ? (ExitCauseKind.Sysreg, new ESR_ELx(ExceptionClass.SYS64, true, access.IsWrite ? 0u : 1u)) // ISS.Direction: 1 = read
            : ins.Kind switch
            {
                InstructionKind.LoadRam => (ExitCauseKind.Stage2Fault, ESR_ELx.DataAbort(true, true, false, ESR_ELx.DFSC_TRANSLATION_L3)),
                InstructionKind.StoreRam => (ExitCauseKind.Stage2Fault, ESR_ELx.DataAbort(true, true, true, ESR_ELx.DFSC_TRANSLATION_L3)),
                InstructionKind.MmioLoadKernel => (ExitCauseKind.MmioKernel, ESR_ELx.DataAbort(true, true, false, ESR_ELx.DFSC_TRANSLATION_L3)),
                InstructionKind.MmioLoadUser => (ExitCauseKind.MmioUser, ESR_ELx.DataAbort(true, true, false, ESR_ELx.DFSC_TRANSLATION_L3)),
                InstructionKind.MmioStoreUser => (ExitCauseKind.MmioUser, ESR_ELx.DataAbort(true, true, true, ESR_ELx.DFSC_TRANSLATION_L3)),
                InstructionKind.MmioNoIsv => (ExitCauseKind.MmioNoIsv, ESR_ELx.DataAbort(true, false, false, ESR_ELx.DFSC_TRANSLATION_L3)),
                InstructionKind.Brk => (ExitCauseKind.Brk, ESR_ELx.Brk64(0)),
                InstructionKind.CondFailedA32 => (ExitCauseKind.CondFailed, new ESR_ELx(ExceptionClass.CP15_32, true, 1u << 24 | 1u << 20)),
                InstructionKind.GicV2CpuIfFault => (ExitCauseKind.HypCpuIfFault, ESR_ELx.DataAbort(true, true, false, ESR_ELx.DFSC_TRANSLATION_L3)),
                InstructionKind.Hvc => (ExitCauseKind.Hvc, new ESR_ELx(ExceptionClass.HVC64, true, 0)),
                InstructionKind.Wfi => (ExitCauseKind.Wfi, new ESR_ELx(ExceptionClass.WFx, true, 0)),
                _ => throw new InvalidOperationException($"{ins.Mnemonic} does not trap to EL2"),
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
        if (ins.SysRegAccess is { } access)
            return Complete(access.IsWrite ? NativeWrite(c, access.Reg, ins.WrittenValue(s.X0)) : NativeRead(c, access.Reg), next);
        switch (ins.Kind)
        {
            case InstructionKind.Branch:
                return Complete(c, ins.Target);
            case InstructionKind.Svc:
                c = Complete(c, next);
                return TakeToEl1(c, VectorOffset.CurrentSpxSync, new ESR_ELx(ExceptionClass.SVC64, true, 0), next);
            case InstructionKind.Brk:
                // MDCR_EL2.TDE clear: the guest's own EL1 takes the BRK; the preferred return is the BRK.
                return TakeToEl1(c, VectorOffset.CurrentSpxSync, ESR_ELx.Brk64(0), s.PC);
            case InstructionKind.Eret:
                var spsr = s.SPSR_EL1;
                bool atSource = DebugEnabled(s);
                bool atDest = DebugExceptions.GenerateDebugExceptionsFrom(spsr.EL, spsr.D, s.HwMDSCR_EL1, s.MDCR_EL2, OSLK: s.HwOSLK);
                bool ss = SoftwareStep.DebugExceptionReturnSS(spsr.SS, s.HwMDSCR_EL1, atSource, atDest);
                bool stepped = Step(s) == StepState.ActiveNotPending;
                return c.With(x => x with
                {
                    PC = x.ELR_EL1,
                    PSTATE = Exceptions.ExceptionReturn(spsr, ss),
                    SteppedSinceEntry = x.SteppedSinceEntry || stepped,
                }).Emit(new Retired(s.PC, s.ELR_EL1, RetiredBy.Hardware, ins.Mnemonic));
            case InstructionKind.HandlerSkipIfFault:
                return Complete(Handler(c), next);
            case InstructionKind.LoadRam:
                return Complete(c.With(x => x with { X0 = x.Ram }), next, c.S.Ram);
            case InstructionKind.StoreRam:
                return Complete(c.With(x => x with { Ram = ins.Value }), next);
            case InstructionKind.DaifSetD or InstructionKind.DaifClrD:
                var d = s.PSTATE with { D = ins.Kind == InstructionKind.DaifSetD };
                return Complete(c.With(x => x with { PSTATE = x.PSTATE with { D = d.D } }).Emit(new GuestRegWrite(SysReg.DAIF, d.Encode() & 0x3C0)), next);
            case InstructionKind.UnmaskSError:
                return Complete(c.With(x => x with { PSTATE = x.PSTATE with { A = false } }), next);
            default:
                return Complete(c, next);
        }
    }

    /// <summary>The guest's synchronous handler (the selftest's handlers, by ESR_EL1.EC).</summary>
    private static Ctx Handler(Ctx c)
    {
        var s = c.S;
        switch (s.ESR_EL1.EC)
        {
            case ExceptionClass.SVC64:
                return c;
            case ExceptionClass.BREAKPT_CUR or ExceptionClass.WATCHPT_CUR:
                var masked = s.SPSR_EL1 with { D = true };
                return c.With(x => x with { SPSR_EL1 = masked }).Emit(new GuestRegWrite(SysReg.SPSR_EL1, masked.Encode()));
            case ExceptionClass.SOFTSTP_CUR:
                var rearmed = s.SPSR_EL1 with { SS = true };
                return c.With(x => x with { SPSR_EL1 = rearmed }).Emit(new GuestRegWrite(SysReg.SPSR_EL1, rearmed.Encode()));
            default:
                return c.With(x => x with { ELR_EL1 = x.ELR_EL1 + Instruction.Length });
        }
    }

    /// <summary>A native MRS (not trapped): MDSCR_EL1 as the hardware holds it (KVM's bits included),
    /// the other registers as the guest's context has them.</summary>
    private static Ctx NativeRead(Ctx c, SysReg reg)
    {
        var v = reg == SysReg.MDSCR_EL1 ? c.S.HwMDSCR_EL1.Encode() : c.S.ReadSys(reg);
        return c.With(x => x with { X0 = v }).Emit(new GuestRegRead(reg, v));
    }

    /// <summary>A native MSR (not trapped): the hardware register changes, and with it the guest's
    /// context copy, except that before v6.14, while the host debugs, kvm_arm_clear_debug() restores
    /// MDSCR_EL1 from the copy saved at entry, so a native MDSCR_EL1 write is lost at the next exit.</summary>
    private static Ctx NativeWrite(Ctx c, SysReg reg, ulong value)
    {
        var s = c.S;
        c = c.Emit(new GuestRegWrite(reg, value));
        if (reg != SysReg.MDSCR_EL1) return c.With(x => x.WriteSys(reg, value));
        bool lost = c.V.kvm_arm_setup_debug != SetupDebug.LoadPut && s.guest_debug != KvmGuestDebug.None;
        c = c.With(x => x with { HwMDSCR_EL1 = MDSCR_EL1.Decode(value) });
        return lost ? c.Cpu("native MSR MDSCR_EL1 while the host debugs: kvm_arm_clear_debug() will restore the saved copy") : c.With(x => x.WriteSys(reg, value));
    }

    /// <summary>KVM's ERET into the guest: PSTATE.SS from DebugExceptionReturnSS() with EL2 (debug
    /// disabled) as the source.</summary>
    public static Ctx world_switch_enter(Ctx c)
    {
        var s = c.S;
        bool atDest = DebugExceptions.GenerateDebugExceptionsFrom(s.PSTATE.EL, s.PSTATE.D, s.HwMDSCR_EL1, s.MDCR_EL2, OSLK: s.HwOSLK);
        bool ss = SoftwareStep.DebugExceptionReturnSS(s.PSTATE.SS, s.HwMDSCR_EL1, enabledAtSource: false, atDest);
        return c.With(x => x with { PSTATE = x.PSTATE with { SS = ss }, SteppedSinceEntry = false })
                .Emit(new Entered(s.PC))
                .Cpu($"ERET to guest at 0x{s.PC:X}, PSTATE.SS={(ss ? 1 : 0)}, MDSCR_EL1.SS={(s.HwMDSCR_EL1.SS ? 1 : 0)}, TDE={(s.MDCR_EL2.TDE ? 1 : 0)} ({StepNow(c.S with { PSTATE = s.PSTATE with { SS = ss } })})");
    }

    private static string StepNow(Vcpu s) => Step(s) switch
    {
        StepState.ActiveNotPending => "step active-not-pending",
        StepState.ActivePending => "step active-pending",
        _ => "step inactive",
    };
}
