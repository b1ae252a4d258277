// TEMPORARY: keeps rsconform_wire_json non-empty until json_messages.cpp and
// json_update.cpp exist. Whoever adds the first of those deletes this file.
namespace rsconform::wire::detail {
int json_placeholder = 0;
}
