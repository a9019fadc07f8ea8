namespace Kvmspec.Spec.Trace;

/// <summary>Whose interrupt becomes pending: a virtual interrupt for the guest, or a physical
/// interrupt for the host that forces an exit from the guest.</summary>
public enum IrqTarget { Guest, Host }
