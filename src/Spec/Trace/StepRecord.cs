namespace Kvmspec.Spec.Trace;

/// <summary>Step-log profile: what a debugger sees of one host single-step: the PC before and after,
/// the instruction at the PC before (its length and its kind or disassembly), and, when the debugger
/// can tell, the exception the guest entered during the step and the guest-visible flags after it.</summary>
/// <remarks>
/// <c>Insn</c>: The instruction: a model instruction kind name (<c>Nop</c>, <c>MmioLoadUser</c>, ...) or its disassembly (<c>ldr x0, [x1]</c>, <c>b 0x1010</c>).
/// <c>Exception</c>: The exception entered during the step, if the debugger recorded one.
/// <c>Flags</c>: The guest's PSTATE (SPSR format) as the debugger read it after the step (KVM_GET_ONE_REG), if recorded.
/// </remarks>
public sealed record StepRecord(ulong Pc, ulong NextPc, int Len, string Insn, StepException? Exception = null, ulong? Flags = null) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Observation;
    public override string Verb => "step";
    public override string Describe() =>
        $"step 0x{Pc:X} {Insn} (len {Len}) -> 0x{NextPc:X}{(Exception is { } x ? $" via exception to 0x{x.Vector:X}{(x.SavedStep is { } s ? $" saved SS={(s ? 1 : 0)}" : "")}" : "")}{(Flags is { } f ? $" pstate=0x{f:X}" : "")}";
}

/// <summary>The exception a step-log record saw the guest enter: its vector and, if recorded, the step
/// bit the hardware saved in the guest's frame (SPSR_EL1.SS; on x86 the TF in the pushed RFLAGS).</summary>
public sealed record StepException(ulong Vector, bool? SavedStep = null);
