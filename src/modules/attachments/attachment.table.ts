/** An uploaded file a ticket may reference by its key (migration 0005). */
export interface AttachmentTable {
  /** `upload_<uuid>_<file name>`, the DMS AttachmentKey format. */
  attachment_key: string;
  tenant_id: number;
  user_id: number;
  file_name: string;
  /** DMS FileSource: datacorrect, order_info_attachment, big-file, sqlreview. */
  file_source: string;
  size_bytes: number;
  sha256: string;
  /** Where the file store keeps it (relative key inside the store). */
  storage_key: string;
  created_at: number;
  /** Unused attachments expire; one referenced by a ticket is kept with the ticket. */
  expires_at: number;
}
