using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;

namespace Kvmspec.Model.X86;

/// <summary>The CPU in VMX non-root operation: what stops the guest (in SDM priority order) and
/// native execution of one instruction with the single-step, shadow and MTF rules of
/// <see cref="X86Sdm"/>.</summary>
/// <remarks>Sources: Intel SDM Vol. 3 §7.9 (priorities: MTF above trap-class #DB, above interrupts,
/// above code breakpoints), §18.3.1 (instruction breakpoints are faults, suppressed by RF; data
/// breakpoints are traps; single-step), §25.1-25.5 (VM exits: external interrupts, interrupt
/// window, the exception bitmap, I/O exiting, CPUID/HLT/MOV-DR/WRMSR exiting, EPT misconfiguration,
/// #UD of the forced-emulation prefix).</remarks>
public static class X86Cpu
{
    // ---- guards, in the order RunProtocol's rows try them ----
    public static bool HostIrqPending(X86Ctx c) => c.S.HostIrqPending;
    public static bool MtfExitPending(X86Ctx c) => c.S.MtfPending;
    public static bool DebugTrapPending(X86Ctx c) => c.S.StepTrapPending || c.S.DataBpPending is not null;

    /// <summary>Whether KVM holds interrupts back while the host debugs (BLOCKIRQ, or the 2021 RFC).</summary>
    public static bool IrqHeldBack(X86Ctx c) => c.V.kvm_check_and_inject_events switch
    {
        IrqHoldBack.BlockIrqFlag => c.Has(X86GuestDebug.KVM_GUESTDBG_BLOCKIRQ),
        IrqHoldBack.WhileSingleStepping => c.Stepping,
        _ => false,
    };

    /// <summary>An interrupt may be delivered now: pending, IF=1, no STI/MOV SS shadow (vmx_interrupt_allowed).</summary>
    public static bool InterruptAllowed(X86Ctx c) => c.S.IrqPending && Rflags.If(c.S.Rflags) && c.S.Shadow == Shadow.None;

    public static bool IrqWindowOpen(X86Ctx c) => InterruptAllowed(c) && !IrqHeldBack(c);

    /// <summary>The host's instruction breakpoint matches RIP (fault-class, before execution; RF suppresses it).</summary>
    public static int? InstructionBreakpoint(X86Ctx c)
    {
        if (!c.Has(X86GuestDebug.KVM_GUESTDBG_USE_HW_BP) || c.S.HostDr is not { } d || (c.S.Rflags & Rflags.RF) != 0) return null;
        for (int i = 0; i < 4; i++)
            if (Dr7.Enabled(d.Dr7, i) && Dr7.RwOf(d.Dr7, i) == 0 && d.Dr(i) == c.S.Rip) return i;
        return null;
    }

    public static bool InstructionBreakpointMatches(X86Ctx c) => InstructionBreakpoint(c) is not null;

    public static bool UnknownRip(X86Ctx c) => c.P.At(c.S.Rip) is null;

    /// <summary>The VM exit an instruction causes before it executes, if any.</summary>
    public static X86ExitKind? ExitFor(X86Ctx c, X86Instruction ins)
    {
        if (ins.Forced) return X86ExitKind.Emulate;
        return ins.Kind switch
        {
            X86InstructionKind.Cpuid or X86InstructionKind.Wrmsr or X86InstructionKind.Hlt or X86InstructionKind.MovFromDr => X86ExitKind.Intercept,
            X86InstructionKind.Out or X86InstructionKind.In or X86InstructionKind.RepInsb => X86ExitKind.PortIo,
            X86InstructionKind.MmioLoad => X86ExitKind.Emulate,
            X86InstructionKind.Int3 when c.Has(X86GuestDebug.KVM_GUESTDBG_USE_SW_BP) => X86ExitKind.Breakpoint,
            X86InstructionKind.Icebp => X86ExitKind.Icebp,
            _ => null,
        };
    }

    public static bool Intercepted(X86Ctx c) => c.P.At(c.S.Rip) is { } ins && ExitFor(c, ins) is not null;

    // ---- effects: the VM exits ----
    private static X86Ctx ExitWith(X86Ctx c, X86ExitCause cause) => c.With(s => s with { Cause = cause });

    public static X86Ctx exit_host_irq(X86Ctx c) => ExitWith(c.With(s => s with { HostIrqPending = false }), new(X86ExitKind.HostIrq, c.S.Rip));
    public static X86Ctx exit_mtf(X86Ctx c) => ExitWith(c.With(s => s with { MtfPending = false }), new(X86ExitKind.Mtf, c.S.Rip));

    public static X86Ctx exit_debug_trap(X86Ctx c)
    {
        ulong dr6 = (c.S.StepTrapPending ? Dr6.BS : 0) | (c.S.DataBpPending is { } i ? Dr6.B(i) : 0);
        return ExitWith(c.With(s => s with { StepTrapPending = false, DataBpPending = null }), new(X86ExitKind.DebugException, c.S.Rip, Dr6: dr6));
    }

    public static X86Ctx exit_irq_window(X86Ctx c) => ExitWith(c, new(X86ExitKind.IrqWindow, c.S.Rip));

    public static X86Ctx exit_instruction_breakpoint(X86Ctx c) =>
        ExitWith(c, new(X86ExitKind.DebugException, c.S.Rip, c.P.At(c.S.Rip), Dr6.B(InstructionBreakpoint(c)!.Value)));

    public static X86Ctx exit_intercept(X86Ctx c)
    {
        var ins = c.P.At(c.S.Rip)!;
        return ExitWith(c, new(ExitFor(c, ins)!.Value, c.S.Rip, ins));
    }

    // ---- event delivery ----
    /// <summary>Delivers an interrupt or exception through the guest's IDT: pushes RIP and RFLAGS
    /// (with TF as it is: the leak when it is the host's), clears TF/RF/IF, enters the handler;
    /// with TF set the step ends at the handler's first instruction (not for the #DB itself, which
    /// clears TF without trapping again); with MTF an MTF exit is pending there (SDM §25.5.2).</summary>
    public static X86Ctx Deliver(X86Ctx c, byte vector, ulong returnRip)
    {
        bool tf = c.S.TfSet;
        var image = X86Sdm.FrameImage(c.S.Rflags, faultClass: false);
        var handler = X86Program.HandlerOf(vector);
        c = c.Emit(new X86ExceptionTaken(vector, returnRip, image, handler));
        var mtf = c.Mtf;
        return c.With(s => s with
        {
            Frames = s.Frames.Push(new X86Frame(returnRip, image)),
            Rflags = X86Sdm.HandlerRflags(s.Rflags) | Rflags.Fixed,
            Rip = handler,
            Shadow = Shadow.None,
            DeferredStep = false,
            Halted = false,
            StepTrapPending = s.StepTrapPending || (tf && vector != X86Program.DbVector),
            MtfPending = s.MtfPending || mtf,
        });
    }

    // ---- native execution ----
    /// <summary>Executes the instruction at RIP natively and applies the SDM's step, shadow and MTF rules.</summary>
    public static X86Ctx execute(X86Ctx c)
    {
        var s0 = c.S;
        var ins = c.P.At(s0.Rip)!;
        ulong pc = s0.Rip, next = pc + (ulong)ins.Length;
        bool tfStart = s0.TfSet, ifStart = Rflags.If(s0.Rflags);
        bool deferred = s0.DeferredStep;
        ulong rflags = s0.Rflags & ~Rflags.RF;
        ulong? data = null;
        var v = s0;
        bool deliverBp = false;
        switch (ins.Kind)
        {
            case X86InstructionKind.Nop when pc == c.P.End:
                next = pc;
                break;
            case X86InstructionKind.Pushf:
                data = X86Sdm.PushfImage(s0.Rflags);
                break;
            case X86InstructionKind.Popf:
                rflags = (ins.Image & ~Rflags.RF) | Rflags.Fixed;
                data = rflags;
                break;
            case X86InstructionKind.Sti: rflags |= Rflags.IF; break;
            case X86InstructionKind.Cli: rflags &= ~Rflags.IF; break;
            case X86InstructionKind.Syscall:
                var (r11, masked) = X86Sdm.Syscall(s0.Rflags, X86Program.Fmask);
                v = v with { R11 = r11, Rcx = next };
                rflags = masked | Rflags.Fixed;
                data = r11;
                next = X86Program.Lstar;
                break;
            case X86InstructionKind.Sysret:
                rflags = X86Sdm.Sysret(s0.R11);
                data = rflags;
                next = s0.Rcx;
                break;
            case X86InstructionKind.Iret:
                var frame = s0.Frames.IsEmpty ? new X86Frame(next, ins.Image) : s0.Frames.Peek();
                v = v with { Frames = s0.Frames.IsEmpty ? s0.Frames : s0.Frames.Pop() };
                rflags = frame.Rflags | Rflags.Fixed;
                data = rflags;
                next = frame.Rip;
                break;
            case X86InstructionKind.Int3:
                // Without USE_SW_BP the #BP is not intercepted. (ICEBP always exits: #DB is in
                // VMX's exception bitmap, so it never runs natively here.)
                deliverBp = true;
                break;
            case X86InstructionKind.Store:
                if (c.Has(X86GuestDebug.KVM_GUESTDBG_USE_HW_BP) && c.S.HostDr is { } d)
                    for (int i = 0; i < 4; i++)
                        if (Dr7.Enabled(d.Dr7, i) && Dr7.RwOf(d.Dr7, i) == Dr7.RwWrite && d.Dr(i) == X86Program.DataAddr) { v = v with { DataBpPending = i }; break; }
                break;
            case X86InstructionKind.AddRbx: v = v with { Rbx = s0.Rbx + 1 }; break;
            case X86InstructionKind.MovRcx: v = v with { Rcx = ins.Imm }; break;
            case X86InstructionKind.MovRdi: v = v with { Rdi = ins.Imm }; break;
            case X86InstructionKind.Jmp: next = ins.Imm; break;
            case X86InstructionKind.MovSs:
            case X86InstructionKind.Nop:
                break;
            default:
                return c.Unhandled($"native execution of {ins.Kind}");
        }
        bool tfAfter = Rflags.Tf(rflags);
        bool trap = X86Sdm.StepTrapAfter(ins.Kind, tfStart, tfAfter);
        bool defer = false;
        if (ins.Kind == X86InstructionKind.MovSs && trap && s0.Shadow != Shadow.MovSs) { defer = true; trap = false; }
        trap |= deferred;
        var shadow = X86Sdm.ShadowAfter(ins.Kind, ifStart, s0.Shadow);
        bool mtf = c.Mtf;
        c = c.Emit(new Retired(pc, next, RetiredBy.Hardware, pc == c.P.End ? "jmp ." : ins.Text, Data: data))
             .With(_ => v with { Rip = next, Rflags = rflags, Shadow = shadow, DeferredStep = defer, StepTrapPending = trap, MtfPending = mtf });
        // INT3 is trap-like: #BP is delivered after it, RIP past it; a pending step trap is taken at
        // the handler (Deliver keeps it: TF at INT3's start is the TF it pushes and clears).
        return deliverBp ? Deliver(c, X86Program.BpVector, next) : c;
    }
}
