// Placeholder translation unit until this folder's issue lands.
