public partial class Net
{
}
