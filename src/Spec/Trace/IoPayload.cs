namespace Kvmspec.Spec.Trace;

/// <summary>KVM_EXIT_IO: kvm_run.io {direction, size, port, count, data}: one byte at
/// <see cref="Port"/>, with the value for an OUT.</summary>
public sealed record IoPayload(ushort Port, int Size, bool Out, uint Count, ulong Data) : ExitPayload
{
    public override string Describe() => $"port=0x{Port:X} size={Size} {(Out ? $"out data=0x{Data:X}" : "in")} count={Count}";
}
